/**
 * Base images for assembling, each read once per run: from an OCI layout on disk, or from the
 * registry by the digest dray.lock pins (the pins the fingerprint step already read).
 */
import type { ServiceBuildDeps } from "../assemble/index.js";
import type { ResolvedConfig, ResolvedService } from "../config/index.js";
import { type BaseImage, type Platform, platformName, readBaseFromLayout } from "../oci/index.js";
import { type BasePins, pinnedDigest } from "../pins/index.js";

/** The base image of a service on a platform, memoized by base and platform. */
export function memoizedBases(
  config: ResolvedConfig,
  pins: BasePins | undefined,
): ServiceBuildDeps["baseImage"] {
  const bases = new Map<string, Promise<BaseImage | undefined>>();
  return (service: ResolvedService, platform: Platform) => {
    const base = service.base;
    if (base.kind === "scratch") return Promise.resolve(undefined);
    const id = `${base.kind === "layout" ? `${base.layout}\0${base.ref}` : base.image}\0${platformName(platform)}`;
    if (!bases.has(id)) {
      if (base.kind === "layout") bases.set(id, readBaseFromLayout(base.layout, base.ref, platform));
      else {
        const digest = pins ? pinnedDigest(base, pins) : undefined;
        if (!digest)
          throw new Error(`internal: ${base.image} has no pinned digest after the pins were checked`);
        bases.set(
          id,
          import("../assemble/index.js").then(({ registryBase }) =>
            registryBase(config.state.bases, base, digest, platform),
          ),
        );
      }
    }
    return bases.get(id)!;
  };
}
