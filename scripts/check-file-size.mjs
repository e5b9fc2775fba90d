#!/usr/bin/env node
// Fails when a source file under src/ grows past the size the style allows (300 lines):
// a file that big has more than one concern and should be split by concern.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const LIMIT = 300;
const root = path.resolve(import.meta.dirname, "..", "src");

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.(ts|go)$/.test(entry.name)) yield full;
  }
}

const over = [];
for (const file of sources(root)) {
  const lines = readFileSync(file, "utf8").split("\n").length - 1;
  if (lines > LIMIT) over.push(`${path.relative(path.dirname(root), file)}: ${lines} lines`);
}
if (over.length > 0) {
  console.error(`source files over ${LIMIT} lines (split them by concern):\n  ${over.join("\n  ")}`);
  process.exit(1);
}
