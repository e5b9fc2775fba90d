/**
 * The question every build asks first: is there already an image for this input key? The local
 * answer is the build cache plus the layout (an entry counts only while every blob it needs is there,
 * at its size); other caches (the registry's, with `cache: registry`) wrap it as decorators.
 */
import type { Digest, LayoutStore } from "../oci/index.js";
import type { BuildCache } from "./build-cache.js";
import { type CacheEntry, entryBlobs } from "./entry.js";

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

/**
 * The local cache: an entry of `cache` whose blobs are all in `layout`, each at the size the entry
 * records. Cheap on purpose: one stat per blob, in parallel, each blob once per build however many
 * entries share it, and nothing read. Content is hashed where bytes are used or rewritten (a build
 * that writes the image, push, load, `dray verify`, `dray cache check`).
 */
export function localImageCache(cache: BuildCache, layout: LayoutStore): ImageCache {
  const sizes = new Map<Digest, Promise<number | undefined>>();
  const sizeOf = (digest: Digest) => {
    let size = sizes.get(digest);
    if (!size) {
      size = layout.blobSize(digest);
      sizes.set(digest, size);
    }
    return size;
  };
  return {
    async lookup(_service, key) {
      const entry = await cache.get(key);
      if (!entry) return undefined;
      const needed = entryBlobs(entry);
      const found = await Promise.all(needed.map((blob) => sizeOf(blob.digest)));
      return needed.every((blob, i) => found[i] === blob.size) ? { entry, source: "local" } : undefined;
    },
  };
}
