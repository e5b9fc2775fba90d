/** What each built service should look like on a target: its image identity there, the reference the target runs, and its spec. */
import { createHash } from "node:crypto";
import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig, ResolvedService, TargetConfig } from "../config/index.js";
import { buildForEngine } from "../engine/index.js";
import { UserError } from "../errors/index.js";
import type { Digest } from "../oci/index.js";
import { formatReference } from "../oci/index.js";
import { repositoryOf } from "../publish/index.js";
import { deploySpec, specDigest } from "./spec.js";
import type { DesiredService } from "./types.js";

/**
 * The image ID a target compares: the config digest of the target's platform, or — for a target
 * whose nodes may run any of the image's platforms — a digest over every platform's config digest,
 * which moves exactly when one of them does.
 */
export function imageIdentity(entry: CacheEntry, platform: string | undefined, service: string): Digest {
  if (platform !== undefined) {
    const image = buildForEngine(platform, entry.platforms, (p) => p.platform);
    if (!image)
      throw new UserError(`${service} is not built for ${platform}, the platform of the deploy target`, {
        hint: `It is built for ${entry.platforms.map((p) => p.platform).join(", ")}; add ${platform} to its \`platforms\` in dray.yaml.`,
      });
    return image.imageId;
  }
  if (entry.platforms.length === 1) return entry.platforms[0]!.imageId;
  const lines = entry.platforms.map((p) => `${p.platform} ${p.imageId}\n`).sort();
  return `sha256:${createHash("sha256").update(lines.join("")).digest("hex")}`;
}

/** `<registry>/<service>@<digest>`: the reference a target pulls `entry` by. */
export function registryReference(config: ResolvedConfig, service: string, entry: CacheEntry): string {
  return formatReference({
    registry: config.registry!.registry,
    repository: repositoryOf(config.registry!, service),
    digest: entry.top.digest,
  });
}

export function desiredService(
  config: ResolvedConfig,
  service: ResolvedService,
  entry: CacheEntry,
  target: TargetConfig,
  platform: string | undefined,
  extra?: string,
  user?: string,
): DesiredService {
  const imageId = imageIdentity(entry, platform, service.name);
  const spec = deploySpec(config, service, target);
  const image = config.registry ? registryReference(config, service.name, entry) : imageId;
  return {
    name: service.name,
    imageId,
    image,
    spec,
    specDigest: specDigest(spec, target, extra),
    ...(user !== undefined ? { user } : {}),
  };
}

/**
 * The `User` of the service's image config (every platform has the same one), read from the
 * build's documents or the layout; undefined when the config sets none.
 */
export async function imageUser(
  source: { readBlob(digest: Digest): Promise<Buffer> },
  entry: CacheEntry,
): Promise<string | undefined> {
  const config = JSON.parse((await source.readBlob(entry.platforms[0]!.imageId)).toString("utf8")) as {
    config?: { User?: string };
  };
  return config.config?.User || undefined;
}

/** Services that can run: an image without entrypoint or args is files only (a static site's assets). */
export function runnable(service: ResolvedService): boolean {
  return (service.image.entrypoint?.length ?? 0) > 0 || (service.image.args?.length ?? 0) > 0;
}
