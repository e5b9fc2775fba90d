/**
 * Whether a module could hold a main package at all, read from its files without go: used only when
 * go cannot list the module (it does not load, or needs a newer toolchain), to tell a module that
 * only holds libraries — which must not stop `dray init` — from one whose mains would go missing.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** Directories go never builds from in `./...` (see `go help packages`), or that belong to another module. */
function skipped(name: string): boolean {
  return (
    name.startsWith(".") || name.startsWith("_") || ["vendor", "testdata", "node_modules"].includes(name)
  );
}

/** A package clause `package main` at the start of a line; a match in a comment errs on the safe side. */
const MAIN_CLAUSE = /^package\s+main\s*(?:\/\/.*)?$/m;

/** True when some non-test .go file of the module in `moduleDir` (nested modules aside) says `package main`. */
export async function mayHoldMains(moduleDir: string): Promise<boolean> {
  const pending = [moduleDir];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (dir !== moduleDir && entries.some((e) => e.isFile() && e.name === "go.mod")) continue;
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && !skipped(entry.name)) pending.push(full);
      else if (entry.isFile() && entry.name.endsWith(".go") && !entry.name.endsWith("_test.go")) {
        if (MAIN_CLAUSE.test(await readFile(full, "utf8").catch(() => ""))) return true;
      }
    }
  }
  return false;
}
