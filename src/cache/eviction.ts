/**
 * Which cache entries to drop to get under a size limit: least recently used first, the entries that
 * services were last built from last. Pure: entries and their use times in, a plan out.
 */

import type { Digest } from "../oci/index.js";
import type { CacheEntry } from "./entry.js";

/** An entry with what eviction needs to know about it. */
export interface UsedEntry {
  entry: CacheEntry;
  /** Milliseconds since the epoch (the entry file's mtime). */
  lastUsed: number;
  /** A service's last build (named in last.json): kept longest, since the next no-op build needs it. */
  current: boolean;
}

/** What to evict and what stays. */
export interface EvictionPlan<T extends UsedEntry = UsedEntry> {
  evict: T[];
  keep: T[];
  /** Unique blob bytes the kept entries reference. */
  bytesAfter: number;
}

/** Every blob the entries reference, each once; the cache's size is the sum of these sizes. */
export function referencedBlobs(entries: Iterable<Pick<CacheEntry, "blobs">>): Map<Digest, number> {
  const blobs = new Map<Digest, number>();
  for (const entry of entries) for (const blob of entry.blobs) blobs.set(blob.digest, blob.size);
  return blobs;
}

/** The sum of the sizes in `blobs`. */
export function totalBytes(blobs: ReadonlyMap<Digest, number>): number {
  let total = 0;
  for (const size of blobs.values()) total += size;
  return total;
}

/** Eviction order: non-current before current, then least recently used, then by key so ties are stable. */
export function evictionOrder(a: UsedEntry, b: UsedEntry): number {
  if (a.current !== b.current) return a.current ? 1 : -1;
  if (a.lastUsed !== b.lastUsed) return a.lastUsed - b.lastUsed;
  return a.entry.key < b.entry.key ? -1 : a.entry.key > b.entry.key ? 1 : 0;
}

/**
 * Evicts in eviction order until the blobs the remaining entries share add up to at most `maxBytes`.
 * Blobs are reference-counted, so a base layer shared by many services only stops counting when the
 * last entry that names it goes.
 */
export function planEviction<T extends UsedEntry>(entries: readonly T[], maxBytes: number): EvictionPlan<T> {
  const refs = new Map<Digest, number>();
  const sizes = referencedBlobs(entries.map((used) => used.entry));
  for (const used of entries) {
    for (const digest of distinctDigests(used.entry)) refs.set(digest, (refs.get(digest) ?? 0) + 1);
  }
  let bytes = totalBytes(sizes);
  const ordered = [...entries].sort(evictionOrder);
  let evicted = 0;
  while (bytes > maxBytes && evicted < ordered.length) {
    for (const digest of distinctDigests(ordered[evicted]!.entry)) {
      const left = refs.get(digest)! - 1;
      refs.set(digest, left);
      if (left === 0) bytes -= sizes.get(digest)!;
    }
    evicted++;
  }
  return { evict: ordered.slice(0, evicted), keep: ordered.slice(evicted), bytesAfter: bytes };
}

function distinctDigests(entry: Pick<CacheEntry, "blobs">): Set<Digest> {
  // An entry may list a blob twice (two platforms sharing a base layer); count it once per entry.
  return new Set(entry.blobs.map((blob) => blob.digest));
}
