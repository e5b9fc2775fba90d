/** The real `Exists` for the config checks: what is at a path on this machine. */
import { statSync } from "node:fs";
import type { Exists } from "./check-paths.js";

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
