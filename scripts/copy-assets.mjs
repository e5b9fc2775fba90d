#!/usr/bin/env node
// The last step of `npm run build`: puts into dist/ what tsc does not emit there. Files in other
// languages under src/ (the dev supervisor's Go source) are copied to the same place under dist/;
// the code reads them from beside its own module.
import { copyFile, mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src");
const dist = path.join(root, "dist");
const assetExtensions = new Set([".go"]);

async function copyInto(from, to) {
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(from, to);
}

for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !assetExtensions.has(path.extname(entry.name))) continue;
  // parentPath is newer than some Node 20 releases, which call it path.
  const from = path.join(entry.parentPath ?? entry.path, entry.name);
  await copyInto(from, path.join(dist, path.relative(src, from)));
}
