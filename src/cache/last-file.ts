/**
 * last.json: service → the key it was last built from. It answers "what did this service look like last
 * time?" for "rebuilt, identical" and `dray plan`, and tells prune() which entries to keep longest.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { withFileLock, writeFileAtomic } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { isDigest } from "../oci/index.js";

/** The file name inside the cache directory. */
export const LAST_FILE = "last.json";

/** Every service's last key; an unreadable file reads as empty (it is a cache, a build rewrites it). */
export async function readLastFile(dir: string): Promise<Record<string, Digest>> {
  const text = await readFile(path.join(dir, LAST_FILE), "utf8").catch(() => undefined);
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  // fromEntries defines own properties, so a service named "__proto__" stays data.
  return Object.fromEntries(
    Object.entries(value).filter((pair): pair is [string, Digest] => isDigest(pair[1])),
  );
}

/** Merges `records` into last.json in one atomic rewrite; the lock keeps concurrent builds from losing each other's services. */
export async function updateLastFile(dir: string, records: Record<string, Digest>): Promise<void> {
  await withFileLock(path.join(dir, `${LAST_FILE}.lock`), async () => {
    // A Map and fromEntries, not object spread: a service named "__proto__" stays an ordinary key.
    const merged = new Map([...Object.entries(await readLastFile(dir)), ...Object.entries(records)]);
    const sorted = Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(path.join(dir, LAST_FILE), `${JSON.stringify(sorted, null, 2)}\n`);
  });
}
