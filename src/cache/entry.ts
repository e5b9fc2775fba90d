/** A build-cache entry — what the cache remembers of a built service — and how one is made from a built image set. Pure. */
import type { Ingredients, ServiceKey } from "../fingerprint/index.js";
import type { Descriptor, Digest, ImageSet } from "../oci/index.js";
import { platformName } from "../oci/index.js";

/** A built service as the build cache remembers it. */
export interface CacheEntry {
  /** The service key this entry is stored under. */
  key: Digest;
  service: string;
  /** What the service tag points at (index or single manifest). */
  top: Descriptor;
  platforms: {
    platform: string;
    key: Digest;
    imageId: Digest;
    manifest: Descriptor;
    /** Bytes of layers (as stored: a build's own are uncompressed), config and manifest. */
    size: number;
    ingredients: Ingredients;
  }[];
  /** Every blob the images need (layers, configs, manifests, index), for size accounting and garbage collection. */
  blobs: { digest: Digest; size: number }[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  /**
   * Milliseconds spent building it (compiling and packing, all platforms together):
   * what a sharded CI build (`--shard`) balances by. Absent in entries from older versions.
   */
  buildMs?: number;
  /** Set when a sharded CI build pushed it: that build's run, and the cost it assigned the service by. */
  shard?: ShardMark;
}

/** Which sharded build (all N shards of one CI run share the `run`) pushed an entry, and at what cost. */
export interface ShardMark {
  run: Digest;
  /** Absent when no cost was known then: the assignment counted it as the median. */
  cost?: number;
}

/** The cache entry for a freshly built set. */
export function entryFor(key: ServiceKey, set: ImageSet, now: number): CacheEntry {
  const blobs = new Map<Digest, number>();
  if (set.index) blobs.set(set.index.descriptor.digest, set.index.descriptor.size);
  const platforms = set.images.map((image) => {
    const name = platformName(image.platform);
    const platformKey = key.platforms.find((p) => p.platform === name);
    if (!platformKey) throw new Error(`internal: no key for ${key.service} ${name}`);
    let size = image.config.descriptor.size + image.manifest.descriptor.size;
    for (const blob of [image.config, image.manifest, ...image.layers.map((l) => l.blob)]) {
      blobs.set(blob.descriptor.digest, blob.descriptor.size);
    }
    for (const layer of image.layers) size += layer.blob.descriptor.size;
    return {
      platform: name,
      key: platformKey.key,
      imageId: image.id,
      manifest: image.manifest.descriptor,
      size,
      ingredients: platformKey.ingredients,
    };
  });
  return {
    key: key.key,
    service: key.service,
    top: set.top,
    platforms,
    blobs: [...blobs]
      .map(([digest, size]) => ({ digest, size }))
      .sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    createdAt: now,
  };
}

/**
 * Every blob the entry needs, with the size it must have: its blob list plus the top and each
 * platform's manifest (which an entry from elsewhere might leave out of the list), once each.
 */
export function entryBlobs(entry: CacheEntry): { digest: Digest; size: number }[] {
  const all = [entry.top, ...entry.platforms.map((p) => p.manifest), ...entry.blobs];
  const seen = new Set<string>();
  const blobs: { digest: Digest; size: number }[] = [];
  // By digest and size: two records of one blob that disagree on its size cannot both be met.
  for (const { digest, size } of all) {
    const id = `${digest} ${size}`;
    if (seen.has(id)) continue;
    seen.add(id);
    blobs.push({ digest, size });
  }
  return blobs;
}

/** True when two entries hold the same images, platform by platform: a rebuild that changed nothing. */
export function sameImages(a: CacheEntry, b: CacheEntry): boolean {
  if (a.platforms.length !== b.platforms.length) return false;
  const ids = new Map(a.platforms.map((p) => [p.platform, p.imageId]));
  return b.platforms.every((p) => ids.get(p.platform) === p.imageId);
}

/** The tags of a service: its name for the whole set, plus one per platform when there are several. */
export function tagsForEntry(service: string, entry: CacheEntry): Record<string, Descriptor> {
  // Named by the service asking, not entry.service: two services with identical inputs share an entry.
  const tags: Record<string, Descriptor> = { [service]: entry.top };
  if (entry.platforms.length > 1) {
    for (const p of entry.platforms) tags[platformTag(service, p.platform)] = p.manifest;
  }
  return tags;
}

/** The per-platform tag of a multi-platform service, for tools that cannot pick from an index: "api.linux-arm64". */
export function platformTag(service: string, platform: string): string {
  return `${service}.${platform.replaceAll("/", "-")}`;
}
