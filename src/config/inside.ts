/**
 * Where a path lies relative to a directory, lexically: kept apart from normalize.ts (which loads the
 * schema) so that stages checking paths at run time load nothing heavy.
 */
import path from "node:path";

/** True when `child` is `parent` or below it, lexically: compare real paths where symlinks matter. */
export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === "" ||
    (!relative.startsWith(`..${path.sep}`) && relative !== ".." && !path.isAbsolute(relative))
  );
}

/** How a directory is named in a message: relative to the project root, or "the project root". */
export function showDir(root: string, dir: string): string {
  const relative = path.relative(root, dir);
  return relative === "" ? "the project root" : JSON.stringify(relative.split(path.sep).join("/"));
}
