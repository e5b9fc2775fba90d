/**
 * Finds the Go modules of a monorepo: every directory below the root that holds a go.mod, skipping
 * directories that never hold a service's module (dependencies, caches, test data, hidden ones).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

/** Directory names never searched; "vendor" and "testdata" are Go's own conventions. */
const SKIPPED = new Set(["node_modules", "vendor", "testdata"]);

function skipped(name: string): boolean {
  // Dot-directories cover .git, .dray (dray's own output) and editor/tool state.
  return name.startsWith(".") || SKIPPED.has(name);
}

/** Absolute directories holding a go.mod, sorted. Symlinked directories are not followed (no cycles). */
export async function findGoModules(root: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [path.resolve(root)];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isFile() && entry.name === "go.mod") found.push(dir);
      else if (entry.isDirectory() && !skipped(entry.name)) pending.push(path.join(dir, entry.name));
    }
  }
  return found.sort();
}
