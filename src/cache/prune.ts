/**
 * Bounding the cache: evict entries (least recently used first, each service's last build last) until
 * the blobs they reference fit the limit, then garbage-collect the image layout: remove blobs that no
 * remaining entry references and no tag reaches.
 */
import { stat, unlink } from "node:fs/promises";
import type { Digest, LayoutStore } from "../oci/index.js";
import { reachableFrom } from "../oci/index.js";
import { planEviction, referencedBlobs, totalBytes } from "./eviction.js";
import { readLastFile } from "./last-file.js";
import { type ScannedEntry, scanEntries } from "./scan.js";
import { withCacheLock, writeSizeFile } from "./size-file.js";

/** How to prune. */
export interface PruneOptions {
  /** Evict until the unique blob bytes the entries reference are at most this. 0 empties the cache. */
  maxBytes: number;
  /** The layout whose unreferenced, untagged blobs are removed. */
  layout: LayoutStore;
  /** Report what would happen without changing anything. */
  dryRun?: boolean;
}

/** What a prune did (or, with dryRun, would do). */
export interface PruneResult {
  /** In eviction order. */
  evicted: { key: Digest; service: string; lastUsed: number }[];
  blobsRemoved: number;
  /** Bytes of blob files removed from the layout. */
  bytesFreed: number;
  /** Unique blob bytes the remaining entries reference. */
  bytesAfter: number;
}

type Candidate = ScannedEntry & { current: boolean };

/** Prunes the cache in `dir`, holding the cache lock so size.json and a concurrent put() stay consistent. */
export function pruneCache(dir: string, options: PruneOptions): Promise<PruneResult> {
  return withCacheLock(dir, async () => {
    const [scan, last] = await Promise.all([scanEntries(dir), readLastFile(dir)]);
    // By key, not by entry.service: services with identical inputs share one entry.
    const lastKeys = new Set(Object.values(last));
    const candidates: Candidate[] = scan.entries.map((scanned) => ({
      ...scanned,
      current: lastKeys.has(scanned.entry.key),
    }));
    const plan = planEviction(candidates, options.maxBytes);
    let { evict, keep } = plan;
    if (!options.dryRun) {
      const spared = await removeEntryFiles(evict);
      evict = evict.filter((used) => !spared.has(used));
      keep = [...keep, ...spared];
      await Promise.all(scan.corrupt.map((file) => unlink(file).catch(() => undefined)));
    }
    const referenced = referencedBlobs(keep.map((used) => used.entry));
    const gc = await collectGarbage(options.layout, referenced, options.dryRun ?? false);
    if (!options.dryRun) await writeSizeFile(dir, referenced);
    return {
      evicted: evict.map(({ entry, lastUsed }) => ({ key: entry.key, service: entry.service, lastUsed })),
      ...gc,
      bytesAfter: totalBytes(referenced),
    };
  });
}

/**
 * Deletes the entry files, except those used since the scan: a build in another process just got a hit
 * on them and is about to tag their image, so their blobs must stay. Returns the spared ones.
 */
async function removeEntryFiles(evict: readonly Candidate[]): Promise<Set<Candidate>> {
  const spared = new Set<Candidate>();
  for (const used of evict) {
    const info = await stat(used.file).catch(() => undefined);
    if (info && Math.floor(info.mtimeMs) > used.lastUsed) {
      spared.add(used);
      continue;
    }
    await unlink(used.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
  return spared;
}

/** Removes (or counts, in a dry run) the layout's blobs that no kept entry references and no tag reaches. */
async function collectGarbage(
  layout: LayoutStore,
  referenced: ReadonlyMap<Digest, number>,
  dryRun: boolean,
): Promise<{ blobsRemoved: number; bytesFreed: number }> {
  const unreferenced = (await layout.listBlobs()).filter((blob) => !referenced.has(blob.digest));
  if (dryRun) {
    // removeBlobs also treats untagged index.json entries as roots; dray never writes those, so tags suffice here.
    const reached = await reachableFrom(Object.values(await layout.listTags()), layout);
    const removable = unreferenced.filter((blob) => !reached.has(blob.digest));
    return {
      blobsRemoved: removable.length,
      bytesFreed: removable.reduce((sum, blob) => sum + blob.size, 0),
    };
  }
  const bytesFreed = await layout.removeBlobs(unreferenced.map((blob) => blob.digest));
  const left = await Promise.all(unreferenced.map((blob) => layout.hasBlob(blob.digest)));
  return { blobsRemoved: left.filter((present) => !present).length, bytesFreed };
}
