/**
 * One cache entry per file, `entries/<key hex>.json`: a lookup is one small read, and the file's mtime is
 * the entry's last use (the LRU clock), so marking it used never rewrites the file.
 */
import path from "node:path";
import { serviceKeyOf } from "../fingerprint/index.js";
import type { Digest } from "../oci/index.js";
import { digestHex, isDigest } from "../oci/index.js";
import type { CacheEntry } from "./entry.js";

/** The folder of entry files inside the cache directory. */
export const ENTRIES_DIR = "entries";

const ENTRY_NAME = /^([0-9a-f]{64})\.json$/;

/** Where the entry for `key` lives. */
export function entryPath(dir: string, key: Digest): string {
  return path.join(dir, ENTRIES_DIR, `${digestHex(key)}.json`);
}

/** The key an entry file name stands for; undefined for names that are not entry files (temp files, strays). */
export function keyOfEntryFile(name: string): Digest | undefined {
  const match = ENTRY_NAME.exec(name);
  return match ? `sha256:${match[1]}` : undefined;
}

/**
 * The entry in `text` if it is one stored under `key`; undefined for anything else (torn, hand-edited,
 * from another version), so a bad file is a cache miss rather than an error.
 */
export function parseEntry(text: string, key: Digest): CacheEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isEntry(value) && value.key === key && matchesItsKey(value) ? value : undefined;
}

/**
 * True when the entry's platform keys combine into its key: the content is what the key names, not
 * another build's entry copied or edited under this name. (Its `service` is the service it was first
 * built for and may differ from the one asking: services with identical inputs share an entry.)
 */
function matchesItsKey(entry: CacheEntry): boolean {
  const names = entry.platforms.map((p) => p.platform);
  return new Set(names).size === names.length && serviceKeyOf(entry.platforms) === entry.key;
}

/** The shape get() relies on: what accounting, GC and tagging read. Ingredients are only displayed, so they are not checked. */
function isEntry(value: unknown): value is CacheEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Partial<CacheEntry>;
  return (
    isDigest(entry.key) &&
    typeof entry.service === "string" &&
    entry.service !== "" &&
    typeof entry.top === "object" &&
    entry.top !== null &&
    isDigest(entry.top.digest) &&
    Number.isSafeInteger(entry.top.size) &&
    Array.isArray(entry.platforms) &&
    entry.platforms.length > 0 &&
    entry.platforms.every(
      (p) =>
        typeof p?.platform === "string" &&
        isDigest(p.key) &&
        isDigest(p.imageId) &&
        isDigest(p.manifest?.digest) &&
        Number.isSafeInteger(p.manifest.size),
    ) &&
    Array.isArray(entry.blobs) &&
    entry.blobs.every(
      (blob) => isDigest(blob?.digest) && Number.isSafeInteger(blob.size) && blob.size >= 0,
    ) &&
    typeof entry.createdAt === "number"
  );
}
