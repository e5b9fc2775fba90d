/** Reading every entry of the cache with its last use: for info() and prune(), never for a lookup. */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import type { CacheEntry } from "./entry.js";
import { ENTRIES_DIR, keyOfEntryFile, parseEntry } from "./entry-file.js";

/** An entry file that parsed, with its mtime (the entry's last use). */
export interface ScannedEntry {
  entry: CacheEntry;
  lastUsed: number;
  file: string;
}

/** Every entry, and the entry files that could not be read or parsed. */
export interface EntryScan {
  entries: ScannedEntry[];
  corrupt: string[];
}

// Enough to keep the disk busy without running into the open-file limit on a large cache.
const READS_AT_ONCE = 32;

/** Reads every file in `<dir>/entries`; names that are not entry files are left alone. */
export async function scanEntries(dir: string): Promise<EntryScan> {
  const entriesDir = path.join(dir, ENTRIES_DIR);
  const names = await readdir(entriesDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const limit = pLimit(READS_AT_ONCE);
  const scan: EntryScan = { entries: [], corrupt: [] };
  await Promise.all(
    names.map((name) =>
      limit(async () => {
        const key = keyOfEntryFile(name);
        if (!key) return;
        const file = path.join(entriesDir, name);
        const [text, info] = await Promise.all([
          readFile(file, "utf8").catch(() => undefined),
          stat(file).catch(() => undefined),
        ]);
        // Gone since readdir (a concurrent prune): neither an entry nor corrupt.
        if (info === undefined) return;
        const entry = text === undefined ? undefined : parseEntry(text, key);
        // Whole milliseconds: what reports show, and what prune compares a fresh stat against.
        if (entry) scan.entries.push({ entry, lastUsed: Math.floor(info.mtimeMs), file });
        else scan.corrupt.push(file);
      }),
    ),
  );
  return scan;
}
