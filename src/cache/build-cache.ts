/**
 * The local build cache in `<project>/.dray/cache`: input key → the image built from it. Lookups read
 * one small file and touch its mtime (the LRU clock); nothing on the lookup path lists a directory.
 *
 *   entries/<key hex>.json   one CacheEntry each
 *   last.json                service → key of its last build
 *   size.json                blobs the entries reference, for a cheap "over the limit?" check
 */
import { readFileSync, utimesSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { ensureDirectory, writeFileAtomic } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { isDigest } from "../oci/index.js";
import type { CacheEntry } from "./entry.js";
import { ENTRIES_DIR, entryPath, parseEntry } from "./entry-file.js";
import { referencedBlobs, totalBytes } from "./eviction.js";
import { readLastFile, updateLastFile } from "./last-file.js";
import { type PruneOptions, type PruneResult, pruneCache } from "./prune.js";
import { scanEntries } from "./scan.js";
import { createSizeRecorder, SIZE_FILE, withCacheLock, writeSizeFile } from "./size-file.js";

/** Built images by input key, bounded in size with least-recently-used eviction. */
export interface BuildCache {
  /** The cache directory, `<project>/.dray/cache`. */
  readonly dir: string;
  /** The entry stored under `key`, marking it used; a missing or unreadable entry is a miss. */
  get(key: Digest): Promise<CacheEntry | undefined>;
  /** Stores the entry (temp file + rename) under its key. Tag its image first: until then, prune may collect its blobs. */
  put(entry: CacheEntry): Promise<void>;
  /** The entry a service was last built from (for "rebuilt, identical" and `dray plan`); does not mark it used. */
  last(service: string): Promise<CacheEntry | undefined>;
  /** Records service → key of its last build, merged into last.json in one atomic rewrite. */
  setLast(records: Record<string, Digest>): Promise<void>;
  /** Counts and sizes, read from every entry (not from size.json). */
  info(): Promise<CacheInfo>;
  /** Evicts least recently used entries until under `maxBytes`, then removes unreferenced, untagged blobs from the layout. */
  prune(options: PruneOptions): Promise<PruneResult>;
}

/** What the cache holds. */
export interface CacheInfo {
  dir: string;
  entries: number;
  /** Unique blob bytes the entries reference. */
  bytes: number;
  /** Milliseconds since the epoch of the least and most recent use. */
  oldestUse?: number;
  newestUse?: number;
  /** Distinct services with at least one entry. */
  services: number;
}

/** How to open a cache. */
export interface OpenBuildCacheOptions {
  /** The clock that marks entries used (default Date.now); tests pass their own. */
  now?: () => number;
}

/** Opens (creating it if needed) the cache in `dir`. */
export async function openBuildCache(dir: string, options: OpenBuildCacheOptions = {}): Promise<BuildCache> {
  let lastKeys: Promise<Record<string, Digest>> | undefined;
  const root = path.resolve(dir);
  const now = options.now ?? Date.now;
  const created = await ensureDirectory(path.join(root, ENTRIES_DIR));
  if (created !== undefined) await startSizeFile(root);
  const sizes = createSizeRecorder(root);
  // Each entry read and checked once per opened cache: a build asks for a service's entry twice (its
  // lookup, and its last build, which on a no-op build is the same key). An entry file holds what its
  // key names, so reading it again in the same command would only find the same; put and prune forget.
  const reads = new Map<Digest, Promise<CacheEntry | undefined>>();
  const touched = new Set<Digest>();

  function read(key: Digest): Promise<CacheEntry | undefined> {
    if (!isDigest(key)) return Promise.resolve(undefined);
    let entry = reads.get(key);
    if (entry === undefined) {
      entry = Promise.resolve().then(() => readEntrySync(entryPath(root, key), key));
      reads.set(key, entry);
    }
    return entry;
  }

  async function touch(file: string): Promise<void> {
    const time = new Date(now());
    // A read-only cache still serves hits; it just cannot keep its LRU order. Synchronous, like the
    // read: one small metadata write per entry, cheaper than a trip through the thread pool.
    try {
      utimesSync(file, time, time);
    } catch {}
  }

  return {
    dir: root,
    async get(key) {
      const entry = await read(key);
      // Once per command: `dray plan` asks for the last build's entry and the current key's, the same on a no-op.
      if (entry && !touched.has(key)) {
        touched.add(key);
        await touch(entryPath(root, key));
      }
      return entry;
    },
    async put(entry) {
      if (!isDigest(entry.key)) throw new Error(`cache entry for ${entry.service} has no valid key`);
      const file = entryPath(root, entry.key);
      reads.delete(entry.key);
      await writeFileAtomic(file, `${JSON.stringify(entry)}\n`);
      await touch(file);
      await sizes.add(entry.blobs);
    },
    async last(service) {
      // Read once per cache instance: a build asks for every service's last key, and re-reading the
      // whole file each time made a no-op build quadratic in the number of services.
      lastKeys ??= readLastFile(root);
      const last = await lastKeys;
      const key = Object.hasOwn(last, service) ? last[service] : undefined;
      return key && read(key);
    },
    async setLast(records) {
      await updateLastFile(root, records);
      lastKeys = undefined;
    },
    async info() {
      const { entries } = await scanEntries(root);
      const uses = entries.map((scanned) => scanned.lastUsed);
      return {
        dir: root,
        entries: entries.length,
        bytes: totalBytes(referencedBlobs(entries.map((scanned) => scanned.entry))),
        // reduce, not Math.min(...uses): spreading a large cache's entries would overflow the stack.
        ...(uses.length > 0
          ? {
              oldestUse: uses.reduce((a, b) => Math.min(a, b)),
              newestUse: uses.reduce((a, b) => Math.max(a, b)),
            }
          : {}),
        services: new Set(entries.map((scanned) => scanned.entry.service)).size,
      };
    },
    async prune(pruneOptions) {
      reads.clear();
      return pruneCache(root, pruneOptions);
    },
  };
}

/**
 * An entry file read and checked, synchronously: entries are a few KB and a no-op build of a large
 * fleet reads a thousand of them, where the thread pool's dispatch and promises cost more than the
 * reads. A missing or unreadable file is no entry.
 */
function readEntrySync(file: string, key: Digest): CacheEntry | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parseEntry(text, key);
}

/**
 * A new cache starts with an exact, empty size.json, so it never needs a full scan to learn its size.
 * Only when there is none and no entry yet: another process may have created the directory and put first.
 */
async function startSizeFile(root: string): Promise<void> {
  await withCacheLock(root, async () => {
    if (await stat(path.join(root, SIZE_FILE)).catch(() => undefined)) return;
    const { entries, corrupt } = await scanEntries(root);
    if (entries.length === 0 && corrupt.length === 0) await writeSizeFile(root, new Map());
  });
}
