/** A service's result as reported to the user, from what the pipeline steps returned. Pure. */
import type { CacheEntry, CacheHit } from "../cache/index.js";
import type { ResolvedService } from "../config/index.js";
import type { BuiltService } from "./builder.js";
import type { ImageChange, ServiceReport } from "./types.js";

/** How the service's image came to be: found in a cache, or built now. */
export type Provenance =
  | { hit: CacheHit; change: ImageChange }
  | { built: BuiltService; change: ImageChange };

/** The report of a service that has its image. */
export function builtReport(service: ResolvedService, entry: CacheEntry, how: Provenance): ServiceReport {
  const built = "built" in how ? how.built : undefined;
  const writePerImage = built ? built.writeMs / entry.platforms.length : 0;
  return {
    name: service.name,
    kind: service.kind,
    status: "built",
    cached: built === undefined,
    fromRegistry: "hit" in how && how.hit.source === "registry",
    change: how.change,
    key: entry.key,
    ref: service.name,
    digest: entry.top.digest,
    platforms: entry.platforms.map((p) => {
      const times = built?.times.get(p.platform);
      return {
        platform: p.platform,
        imageId: p.imageId,
        manifestDigest: p.manifest.digest,
        size: p.size,
        timings: {
          compile: times?.compile ?? 0,
          pack: times?.pack ?? 0,
          write: writePerImage,
        },
      };
    }),
  };
}

/** The report of a service whose build failed with an error the user can act on. */
export function failedReport(service: ResolvedService, error: unknown): ServiceReport {
  return { name: service.name, kind: service.kind, status: "failed", error };
}
