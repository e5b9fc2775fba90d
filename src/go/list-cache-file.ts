/**
 * The go list cache's file: what a listing stores, and its form on disk, where each dependency is
 * an index into the sorted packages.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../io/index.js";

/** A package as stored: paths relative to the project root. */
export interface StoredPackage {
  importPath: string;
  /** Project-relative directory, for packages inside the project. */
  dir?: string;
  standard: boolean;
  module?: { path: string; version?: string; main: boolean };
  /** Source files read by the compiler, relative to `dir`. */
  files: string[];
  error?: string;
}

/** A main package's listing: its name (must be "main") and its transitive closure. */
export interface StoredMain {
  importPath: string;
  name: string;
  error?: string;
  /** Import paths of every dependency, not including the main package itself. */
  deps: string[];
}

/**
 * A watched path: its stat signature, the import path of its package ("" for module files) and,
 * for a Go file or a directory, the digest of what `go list` reads of it (a Go file's header, a
 * directory's names) when it had that signature, if known.
 */
export type Watched = [signature: string, owner: string, listing?: string];

export interface CacheFile {
  version: 1;
  toolchain: string;
  mains: Record<string, StoredMain>;
  packages: Record<string, StoredPackage>;
  /** Project-relative path → what is known of it. */
  watch: Record<string, Watched>;
}

/**
 * The file on disk. A main's closure names ~150 packages and 1000 mains share them, so each dependency
 * is stored as its index in `packages` (sorted by import path); one the listing did not report stays
 * its import path. Read back, every dependency is the very string that keys `packages`.
 */
export interface StoredFile {
  version: 3;
  toolchain: string;
  mains: Record<string, Omit<StoredMain, "deps"> & { deps: (number | string)[] }>;
  packages: StoredPackage[];
  watch: Record<string, Watched>;
}

/** The cache in `file`; undefined when there is none, or it is of another version or toolchain. */
export async function readCache(file: string, toolchain: string): Promise<CacheFile | undefined> {
  try {
    return decode(JSON.parse(await readFile(file, "utf8")) as StoredFile, toolchain);
  } catch {
    return undefined;
  }
}

/** The cache as listGroup uses it; undefined for another version or toolchain, or a file that does not hold together. */
export function decode(stored: StoredFile, toolchain: string): CacheFile | undefined {
  if (stored.version !== 3 || stored.toolchain !== toolchain || !Array.isArray(stored.packages))
    return undefined;
  const packages: Record<string, StoredPackage> = {};
  for (const pkg of stored.packages) packages[pkg.importPath] = pkg;
  // The keys, not the parsed values: lookups of a key's own string are the cheap ones. (Object.keys
  // puts integer-like names first; then the array's own order is used.)
  let names = Object.keys(packages);
  if (names.length !== stored.packages.length) return undefined;
  if (names.some((name, i) => name !== stored.packages[i]!.importPath))
    names = stored.packages.map((pkg) => pkg.importPath);
  const mains: Record<string, StoredMain> = {};
  for (const [rel, main] of Object.entries(stored.mains)) {
    const deps = new Array<string>(main.deps.length);
    for (let i = 0; i < deps.length; i++) {
      const dep = main.deps[i];
      const name = typeof dep === "number" ? names[dep] : dep;
      if (typeof name !== "string") return undefined;
      deps[i] = name;
    }
    mains[rel] = { ...main, deps };
  }
  return { version: 1, toolchain, mains, packages, watch: stored.watch };
}

/** The file form of `cache` (see StoredFile). */
export function encode(cache: CacheFile): StoredFile {
  const names = Object.keys(cache.packages).sort();
  const index = new Map(names.map((name, i) => [name, i]));
  const mains: StoredFile["mains"] = {};
  for (const [rel, main] of Object.entries(cache.mains))
    mains[rel] = { ...main, deps: main.deps.map((dep) => index.get(dep) ?? dep) };
  return {
    version: 3,
    toolchain: cache.toolchain,
    mains,
    packages: names.map((name) => cache.packages[name]!),
    watch: cache.watch,
  };
}

/** Writes `cache` to `file`. */
export async function writeCache(file: string, cache: CacheFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // A cache: a torn write is detected on read and listed afresh, so no fsync.
  await writeFileAtomic(file, JSON.stringify(encode(cache)), { fsync: false });
}
