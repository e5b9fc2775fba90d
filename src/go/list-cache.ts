/**
 * `go list -deps` results cached per (module, platform, cgo, tags) group and re-listed only for the
 * main packages whose closure touches a changed directory or file. Listing costs a process start and
 * a walk of every package; a no-op run must not pay it, and neither must an edit `go list` cannot
 * see: a Go file whose header (see listing-header.ts) is what it was when it was listed, or a
 * directory that holds the same names (an editor that saves by renaming a new file into place).
 */
import path from "node:path";
import { statSignatures } from "../io/index.js";
import {
  type CacheFile,
  readCache,
  type StoredMain,
  type StoredPackage,
  type Watched,
  writeCache,
} from "./list-cache-file.js";
import { goListDeps, type ListedPackage, packageFiles, relativeInside } from "./list-deps.js";
import { digestIfUnchanged, digestOf } from "./watched-digest.js";

export type { StoredMain, StoredPackage } from "./list-cache-file.js";

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
