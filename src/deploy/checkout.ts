/**
 * Whether the current checkout would change what a target runs, found the cheap way: input keys
 * of the services (no build), the images the build cache already holds for those keys, and the
 * spec digests dray.yaml gives. A key the cache does not hold is "not built": nothing is built to
 * find out.
 */
import path from "node:path";
import { openBuildCache } from "../cache/index.js";
import type { ResolvedConfig, ResolvedService, TargetConfig } from "../config/index.js";
import { UserError } from "../errors/index.js";
import { computeServiceKeys, createFileHasher } from "../fingerprint/index.js";
import type { Digest } from "../oci/index.js";
import type { Tracer } from "../report/index.js";
import { imageIdentity } from "./desired.js";
import { manifestsDigest } from "./manifests-digest.js";
import { deploySpec, specDigest } from "./spec.js";
import type { LiveService } from "./types.js";

/** What the checkout would deploy as a service, or why that is not known without a build. */
export type CheckoutIdentity =
  | { readonly imageId: Digest; readonly specDigest: Digest }
  | { readonly unknown: string };

/** What a `dray deploy` from this checkout would do to a service, as `dray status` says it. */
export type CheckoutVerdict =
  | { readonly kind: "same" }
  | { readonly kind: "changes"; readonly what: readonly ("image" | "spec" | "new")[] }
  | { readonly kind: "unknown"; readonly why: string };

/** The identity the checkout gives each of `services` on `target` (platform: the target's). */
export async function checkoutIdentities(
  config: ResolvedConfig,
  services: readonly ResolvedService[],
  target: TargetConfig,
  platform: string | undefined,
  env: NodeJS.ProcessEnv,
  tracer?: Tracer,
): Promise<Map<string, CheckoutIdentity>> {
  const out = new Map<string, CheckoutIdentity>();
  if (services.length === 0) return out;
  const cacheDir = config.state.cache;
  let keys: Awaited<ReturnType<typeof computeServiceKeys>>["keys"];
  try {
    const hasher = await createFileHasher({ cacheFile: path.join(cacheDir, "stat-cache.tsv") });
    keys = (
      await computeServiceKeys(services, {
        config,
        env,
        hasher,
        cacheDir,
        ...(tracer ? { tracer } : {}),
      })
    ).keys;
    await hasher.save();
  } catch (error) {
    // Without a toolchain (or with a broken go.mod) the keys cannot be known; the status still can.
    if (!(error instanceof UserError)) throw error;
    for (const s of services) out.set(s.name, { unknown: `input keys unknown: ${error.message}` });
    return out;
  }
  const extra =
    target.kind === "kubernetes" && target.manifests ? await manifestsDigest(target.manifests) : undefined;
  const cache = await openBuildCache(cacheDir);
  await Promise.all(
    services.map(async (service) => {
      const key = keys.get(service.name);
      const entry = key ? await cache.get(key.key) : undefined;
      if (!entry) {
        out.set(service.name, { unknown: "not built" });
        return;
      }
      try {
        out.set(service.name, {
          imageId: imageIdentity(entry, platform, service.name),
          specDigest: specDigest(deploySpec(config, service), target, extra),
        });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        out.set(service.name, { unknown: error.message });
      }
    }),
  );
  return out;
}

/** Compares the checkout's identity of a service with what runs. Pure. */
export function checkoutVerdict(
  identity: CheckoutIdentity | undefined,
  live: LiveService | undefined,
): CheckoutVerdict {
  if (!identity) return { kind: "unknown", why: "not in dray.yaml" };
  if ("unknown" in identity) return { kind: "unknown", why: identity.unknown };
  if (!live) return { kind: "changes", what: ["new"] };
  const what: ("image" | "spec")[] = [];
  if (live.imageId !== identity.imageId) what.push("image");
  if (live.specDigest !== identity.specDigest) what.push("spec");
  return what.length === 0 ? { kind: "same" } : { kind: "changes", what };
}
