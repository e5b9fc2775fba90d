/**
 * size.json: the blobs the cache's entries reference (digest → size), kept up to date by put() so that
 * "is the cache over its limit?" is one small read instead of a scan of every entry. It is an estimate
 * that only errs high (an entry replaced or evicted by a concurrent prune may leave its blobs counted),
 * and prune() rewrites it exactly. A missing or unreadable file means "unknown", never "empty".
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { withFileLock, writeFileAtomic } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { isDigest } from "../oci/index.js";
import { totalBytes } from "./eviction.js";

/** The file name inside the cache directory. */
export const SIZE_FILE = "size.json";

const LOCK_FILE = "cache.lock";
const VERSION = 1;

/** Records blobs that new entries reference. */
export interface SizeRecorder {
  /** Adds the blobs to size.json; concurrent calls are written together in one rewrite. */
  add(blobs: readonly { digest: Digest; size: number }[]): Promise<void>;
}

/** Runs `fn` holding the cache's lock, which serializes every rewrite of size.json and each prune. */
export function withCacheLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(path.join(dir, LOCK_FILE), fn);
}

/** The referenced blobs as size.json records them; undefined when it is missing or unreadable. */
export async function readSizeFile(dir: string): Promise<Map<Digest, number> | undefined> {
  const text = await readFile(path.join(dir, SIZE_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const document = JSON.parse(text) as { version?: unknown; blobs?: unknown };
    if (document.version !== VERSION || typeof document.blobs !== "object" || document.blobs === null) {
      return undefined;
    }
    const blobs = new Map<Digest, number>();
    for (const [digest, size] of Object.entries(document.blobs)) {
      if (!isDigest(digest) || !Number.isSafeInteger(size) || (size as number) < 0) return undefined;
      blobs.set(digest, size as number);
    }
    return blobs;
  } catch {
    return undefined;
  }
}

/** The cache's size as size.json estimates it; undefined when unknown. */
export async function readCacheBytes(dir: string): Promise<number | undefined> {
  const blobs = await readSizeFile(dir);
  return blobs && totalBytes(blobs);
}

/** Replaces size.json; call it holding the cache lock. `bytes` is there for people reading the file. */
export async function writeSizeFile(dir: string, blobs: ReadonlyMap<Digest, number>): Promise<void> {
  const sorted = [...blobs].sort(([a], [b]) => (a < b ? -1 : 1));
  const document = { version: VERSION, bytes: totalBytes(blobs), blobs: Object.fromEntries(sorted) };
  await writeFileAtomic(path.join(dir, SIZE_FILE), `${JSON.stringify(document)}\n`);
}

/**
 * A recorder that batches: while one rewrite holds the lock, later calls queue up and the next rewrite
 * takes all of them, so a build that stores 100 entries at once pays for a few rewrites, not 100.
 */
export function createSizeRecorder(dir: string): SizeRecorder {
  type Waiter = { blobs: readonly { digest: Digest; size: number }[]; done: (error?: unknown) => void };
  let waiting: Waiter[] = [];
  let draining = false;

  async function drain(): Promise<void> {
    draining = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      try {
        await withCacheLock(dir, async () => {
          const blobs = await readSizeFile(dir);
          // Unknown stays unknown: starting from empty would undercount, and the limit would never be hit.
          if (!blobs) return;
          for (const waiter of batch) for (const { digest, size } of waiter.blobs) blobs.set(digest, size);
          await writeSizeFile(dir, blobs);
        });
        for (const waiter of batch) waiter.done();
      } catch (error) {
        for (const waiter of batch) waiter.done(error);
      }
    }
    draining = false;
  }

  return {
    add(blobs) {
      return new Promise((resolve, reject) => {
        waiting.push({ blobs, done: (error) => (error === undefined ? resolve() : reject(error)) });
        if (!draining) void drain();
      });
    },
  };
}
