/**
 * The question every build asks first: is there already an image for this input key? The local
 * answer is the build cache plus the layout (an entry counts only while its blobs are there);
 * other caches (the registry's, with `cache: registry`) wrap it as decorators.
 */
import type { Digest, LayoutStore } from "../oci/index.js";
import type { BuildCache } from "./build-cache.js";
import type { CacheEntry } from "./entry.js";

/** Where a cached image was found. */
export type CacheSource = "local" | "registry";

/** A cache hit: the entry, and which cache had it. */
export interface CacheHit {
  readonly entry: CacheEntry;
  readonly source: CacheSource;
}

/** Finds the image built from a service's input key, if any cache has it. */
export interface ImageCache {
  lookup(service: string, key: Digest): Promise<CacheHit | undefined>;
}

/** The local cache: an entry of `cache` whose images are all still in `layout`. */
export function localImageCache(cache: BuildCache, layout: LayoutStore): ImageCache {
  return {
    async lookup(_service, key) {
      const entry = await cache.get(key);
      if (!entry) return undefined;
      const needed = [entry.top.digest, ...entry.platforms.map((p) => p.manifest.digest)];
      const present = await Promise.all(needed.map((digest) => layout.hasBlob(digest)));
      return present.every(Boolean) ? { entry, source: "local" } : undefined;
    },
  };
}
