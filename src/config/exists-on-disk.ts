/** The real `Exists` and `RealPath` for the config checks: what is at a path on this machine, and where it really is. */
import { readlinkSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Exists, RealPath } from "./check-paths.js";

/**
 * Synchronous on purpose: reading a config costs a handful of stats, and it keeps the pure core
 * synchronous. Follows symlinks, as the build will.
 */
export const existsOnDisk: Exists = (absolutePath) => {
  try {
    return statSync(absolutePath).isDirectory() ? "directory" : "file";
  } catch {
    return undefined;
  }
};

/** More links than this on one path is a loop; realpath(3) gives up at a similar depth. */
const MAX_LINKS = 40;

/**
 * `absolutePath` with every symlink resolved, also where it does not exist (yet): the missing tail is
 * kept as written below the real path of what exists, and a dangling link is followed to where it
 * points, so that a directory a command is about to create is judged where it will really be.
 */
export const realPathOnDisk: RealPath = (absolutePath) => resolveReal(absolutePath, 0);

function resolveReal(p: string, links: number): string {
  try {
    return realpathSync.native(p);
  } catch {
    // Missing, or a dangling or looping link somewhere along the path.
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = resolveReal(parent, links);
  const here = path.join(realParent, path.basename(p));
  let target: string | undefined;
  try {
    target = readlinkSync(here);
  } catch {
    return here;
  }
  return links >= MAX_LINKS ? here : resolveReal(path.resolve(realParent, target), links + 1);
}
