#!/usr/bin/env node
// The last step of `npm run build`: puts into dist/ what tsc does not emit there.
//
// 1. Files in other languages under src/ (the dev supervisor's Go source, the dashboard's page,
//    style sheet and icon) are copied to the same place under dist/; the code reads them from
//    beside its own module.
// 2. The dashboard's browser scripts are compiled by tsconfig.browser.json into a staging folder:
//    they import types from src/dev/events.ts, so tsc emits that file too, and straight into
//    dist/ it would overwrite the Node build's events.js. Only the browser folder's scripts are
//    copied next to the page; the staging folder is then removed.
import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "src");
const dist = path.join(root, "dist");
const staging = path.join(dist, ".browser");
const browserDir = path.join("dev", "dashboard", "browser");
const assetExtensions = new Set([".go", ".html", ".css", ".svg"]);

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

for (const name of await readdir(path.join(staging, browserDir))) {
  if (name.endsWith(".js")) {
    await copyInto(path.join(staging, browserDir, name), path.join(dist, browserDir, name));
  }
}
await rm(staging, { recursive: true, force: true });
