/** Hashes of project files as key ingredients: content, the executable bit, and symlink targets. */
import { lstatSync } from "node:fs";
import { readlink } from "node:fs/promises";
import path from "node:path";
import type { FileHasher } from "./file-hasher.js";

/**
 * `relPaths` (project-relative, "/"-separated) → ingredient value. The executable bit is part of the
 * value because the image writer turns it into mode 0755; a symlink is its target, never followed.
 */
export async function hashProjectFiles(
  root: string,
  relPaths: readonly string[],
  hasher: FileHasher,
): Promise<Record<string, string>> {
  const abs = relPaths.map((p) => path.join(root, p));
  // Synchronous, as the hasher's own stats: thousands of promises cost more than the stats.
  const infos = abs.map((p) => lstatSync(p));
  const regular = abs.filter((_, i) => !infos[i]!.isSymbolicLink());
  const hashes = await hasher.hashAll(regular);
  const out: Record<string, string> = {};
  await Promise.all(
    relPaths.map(async (rel, i) => {
      const info = infos[i]!;
      if (info.isSymbolicLink()) out[rel] = `link:${await readlink(abs[i]!)}`;
      else out[rel] = `${hashes.get(abs[i]!)}${info.mode & 0o111 ? ":x" : ""}`;
    }),
  );
  return out;
}
