/**
 * `go list -deps` results cached per (module, platform, cgo, tags) group and re-listed only for the
 * main packages whose closure touches a changed directory or file. Listing costs a process start and
 * a walk of every package; a no-op run must not pay it, and neither must an edit `go list` cannot
 * see: a Go file whose header (see listing-header.ts) is what it was when it was listed, or a
 * directory that holds the same names (an editor that saves by renaming a new file into place).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { statSignatures, writeFileAtomic } from "../io/index.js";
import { goListDeps, type ListedPackage, packageFiles, relativeInside } from "./list-deps.js";
import { listingDigest } from "./listing-header.js";

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
type Watched = [signature: string, owner: string, listing?: string];

interface CacheFile {
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
interface StoredFile {
  version: 3;
  toolchain: string;
  mains: Record<string, Omit<StoredMain, "deps"> & { deps: (number | string)[] }>;
  packages: StoredPackage[];
  watch: Record<string, Watched>;
}

/** One group of main packages listed together. */
export interface GroupSpec {
  root: string;
  moduleRoot: string;
  /** "./services/api" style, relative to moduleRoot. */
  mains: readonly string[];
  env: NodeJS.ProcessEnv;
  tags: readonly string[];
  cgo: boolean;
  go: string;
  toolchain: string;
  /** Where this group's cache lives; undefined disables caching. */
  cacheFile: string | undefined;
  /** Files outside the module root that decide the listing too (a workspace's go.work, its vendor/modules.txt). */
  moduleFiles?: readonly string[];
}

/** Listed mains and packages of a group. */
export interface GroupListing {
  mains: Record<string, StoredMain>;
  packages: Record<string, StoredPackage>;
  /** How many main packages had to be listed again (0 on a no-op run). */
  relisted: number;
}

const MODULE_FILES = ["go.mod", "go.sum", "go.work", "go.work.sum", "vendor/modules.txt"];

/** List the group's mains with their closures, from the cache where nothing they depend on changed. */
export async function listGroup(spec: GroupSpec): Promise<GroupListing> {
  const cached = spec.cacheFile ? await readCache(spec.cacheFile, spec.toolchain) : undefined;
  let current: CacheFile = cached ?? {
    version: 1,
    toolchain: spec.toolchain,
    mains: {},
    packages: {},
    watch: {},
  };
  // Signatures taken before listing: an edit made while `go list` runs is seen as a change next time.
  const seen = new Map<string, string>();
  // Listing digests that hold for the signatures in `seen`.
  const known = new Map<string, string>();
  const stale = cached ? await staleMains(spec, cached, seen, known) : new Set(spec.mains);
  if (stale.size === 0)
    return { mains: pick(current.mains, spec.mains), packages: current.packages, relisted: 0 };

  const listed = await goListDeps(spec.go, spec.moduleRoot, [...stale], spec.env, spec.tags);
  current = merge(spec, current, listed, [...stale]);
  const unseen = Object.keys(current.watch).filter((p) => !seen.has(p));
  const fresh = await statSignatures(unseen.map((p) => path.join(spec.root, p)));
  const listedBefore = new Set(seen.keys());
  unseen.forEach((p, i) => {
    seen.set(p, fresh[i]!);
  });
  const relistedPackages = new Set(listed.map((pkg) => pkg.ImportPath));
  for (const [p, entry] of Object.entries(current.watch)) {
    entry[0] = seen.get(p)!;
    if (entry[1] === "") continue;
    // A path of a package listed just now is digested as it is now, and only if it provably did
    // not change since before the listing; others keep the digest that holds for their signature.
    const listing = relistedPackages.has(entry[1])
      ? listedBefore.has(p)
        ? await digestIfUnchanged(path.join(spec.root, p), entry[0])
        : undefined
      : known.get(p);
    if (listing !== undefined) entry[2] = listing;
  }
  if (spec.cacheFile) await writeCache(spec.cacheFile, current);
  return { mains: pick(current.mains, spec.mains), packages: current.packages, relisted: stale.size };
}

/**
 * The mains whose closure changed for `go list`. Fills `seen` with every watched path's signature
 * now, and `known` with the listing digest that holds for it where there is one.
 */
async function staleMains(
  spec: GroupSpec,
  cached: CacheFile,
  seen: Map<string, string>,
  known: Map<string, string>,
): Promise<Set<string>> {
  const stale = new Set(spec.mains.filter((m) => !cached.mains[m]));
  const paths = Object.keys(cached.watch);
  const signatures = await statSignatures(paths.map((p) => path.join(spec.root, p)));
  const changedOwners = new Set<string>();
  let moduleChanged = false;
  paths.forEach((p, i) => {
    seen.set(p, signatures[i]!);
    const [signature, owner, listing] = cached.watch[p]!;
    if (signature === signatures[i]) {
      if (listing !== undefined) known.set(p, listing);
      return;
    }
    if (owner === "") moduleChanged = true;
    // Read after its signature was taken: if it changes again, the next run sees it.
    else if (listing !== undefined && listing === digestOf(path.join(spec.root, p), signatures[i]!))
      known.set(p, listing);
    else changedOwners.add(owner);
  });
  for (const main of spec.mains) {
    const entry = cached.mains[main];
    if (
      !entry ||
      moduleChanged ||
      changedOwners.has(entry.importPath) ||
      entry.deps.some((d) => changedOwners.has(d))
    ) {
      stale.add(main);
    }
  }
  return stale;
}

/**
 * What `go list` reads of a path whose stat signature is `signature`: a directory's names (with
 * whether each is a directory), a Go file's header. Undefined for any other file, whose every
 * change counts, and for a path that cannot be read.
 */
function digestOf(file: string, signature: string): string | undefined {
  try {
    if (signature.startsWith("d")) {
      const names = readdirSync(file, { withFileTypes: true })
        .map((entry) => `${entry.isDirectory() ? "d" : "f"}${entry.name}`)
        .sort();
      return createHash("sha256").update(names.join("\0")).digest("hex").slice(0, 32);
    }
    return file.endsWith(".go") ? listingDigest(readFileSync(file)) : undefined;
  } catch {
    return undefined;
  }
}

/** The path's listing digest, if its signature after reading it is still `signature`. */
async function digestIfUnchanged(file: string, signature: string): Promise<string | undefined> {
  const digest = digestOf(file, signature);
  if (digest === undefined) return undefined;
  const [now] = await statSignatures([file]);
  return now === signature ? digest : undefined;
}

function merge(spec: GroupSpec, base: CacheFile, listed: ListedPackage[], relisted: string[]): CacheFile {
  const packages = { ...base.packages };
  const byDir = new Map<string, ListedPackage>();
  for (const pkg of listed) {
    packages[pkg.ImportPath] = store(spec, pkg);
    if (pkg.Dir) byDir.set(path.resolve(pkg.Dir), pkg);
  }
  const mains = { ...base.mains };
  for (const rel of relisted) {
    const pkg = byDir.get(path.resolve(spec.moduleRoot, rel));
    mains[rel] = pkg
      ? { importPath: pkg.ImportPath, name: pkg.Name ?? "", deps: pkg.Deps ?? [], ...errorOf(pkg) }
      : { importPath: rel, name: "", deps: [], error: `go list did not report ${rel}` };
  }
  // Keep only what some main still reaches, and watch exactly those packages' directories and files.
  const reachable = new Set<string>();
  for (const main of Object.values(mains)) {
    reachable.add(main.importPath);
    for (const dep of main.deps) reachable.add(dep);
  }
  const kept: Record<string, StoredPackage> = {};
  for (const importPath of [...reachable].sort())
    if (packages[importPath]) kept[importPath] = packages[importPath]!;
  return { version: 1, toolchain: spec.toolchain, mains, packages: kept, watch: watchList(spec, kept) };
}

function watchList(spec: GroupSpec, packages: Record<string, StoredPackage>): Record<string, Watched> {
  // Signatures are filled in by writeCache, after the listing, so an edit during `go list` is seen next time.
  const watch: Record<string, Watched> = {};
  const moduleRel = relativeInside(spec.root, spec.moduleRoot) ?? ".";
  for (const file of MODULE_FILES) watch[path.posix.join(moduleRel, file)] = ["", ""];
  for (const file of spec.moduleFiles ?? []) {
    const rel = relativeInside(spec.root, file);
    if (rel !== undefined) watch[rel] = ["", ""];
  }
  for (const pkg of Object.values(packages)) {
    if (pkg.dir === undefined) continue;
    watch[pkg.dir] = ["", pkg.importPath];
    for (const file of pkg.files) {
      const rel = path.posix.join(pkg.dir, file);
      watch[rel] = ["", pkg.importPath];
      // Embedded files may sit in subdirectories: a file added there changes what a pattern matches.
      const parent = path.posix.dirname(rel);
      if (parent !== pkg.dir) watch[parent] = ["", pkg.importPath];
    }
  }
  return watch;
}

function store(spec: GroupSpec, pkg: ListedPackage): StoredPackage {
  const dir = pkg.Dir && !pkg.Standard ? relativeInside(spec.root, pkg.Dir) : undefined;
  const stored: StoredPackage = {
    importPath: pkg.ImportPath,
    standard: Boolean(pkg.Standard),
    files: dir !== undefined ? packageFiles(pkg, spec.cgo) : [],
  };
  if (dir !== undefined) stored.dir = dir;
  if (pkg.Module) {
    const replaced = pkg.Module.Replace;
    stored.module = {
      path: pkg.Module.Path,
      main: Boolean(pkg.Module.Main),
      ...(replaced?.Version
        ? { version: replaced.Version }
        : pkg.Module.Version
          ? { version: pkg.Module.Version }
          : {}),
    };
  }
  const error = errorOf(pkg).error;
  if (error) stored.error = error;
  return stored;
}

function errorOf(pkg: ListedPackage): { error?: string } {
  const message = pkg.Error?.Err ?? pkg.DepsErrors?.[0]?.Err;
  return message ? { error: message.trim() } : {};
}

function pick(mains: Record<string, StoredMain>, names: readonly string[]): Record<string, StoredMain> {
  return Object.fromEntries(names.map((n) => [n, mains[n]!]));
}

async function readCache(file: string, toolchain: string): Promise<CacheFile | undefined> {
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

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  // A cache: a torn write is detected on read and listed afresh, so no fsync.
  await writeFileAtomic(file, JSON.stringify(encode(cache)), { fsync: false });
}
