/**
 * `dray cache check`: the layouts and the cache, with nothing trusted by its name. Every blob is hashed,
 * every tag must reach an intact image, every entry must parse, match its key and find each of its blobs
 * intact at its size. With `repair`, what is broken is removed (blobs, tags, entries), so that the next
 * build rebuilds, re-tags or re-pulls it; nothing intact is touched.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { platformKeyOf } from "../fingerprint/index.js";
import {
  type BlobFault,
  blobFilePath,
  checkLayout,
  type Digest,
  type LayoutCheck,
  type LayoutStore,
} from "../oci/index.js";
import { type CacheEntry, entryBlobs } from "./entry.js";
import { keyOfEntryFile } from "./entry-file.js";
import { referencedBlobs } from "./eviction.js";
import { scanEntries } from "./scan.js";
import { withCacheLock, writeSizeFile } from "./size-file.js";

/** One thing found broken, and what a repair does (or did) about it. */
export interface CheckProblem {
  kind: "blob" | "index" | "tag" | "entry";
  /** What is broken: "blob sha256:…", "tag api", "cache entry sha256:… (api)", "index.json". */
  subject: string;
  /** Its file. */
  file: string;
  /** The blob at fault (for a tag or entry: the first one it needs that is not intact). */
  blob?: Digest;
  /** What is wrong with it. */
  problem: string;
  /** What a repair does about it: "remove it; the next build writes it again". */
  fix: string;
  /** The same, once done: "removed it; the next build writes it again". */
  fixed: string;
  /** True once a repair did it. */
  repaired: boolean;
}

/** A layout that was checked. */
export interface CheckedLayout {
  root: string;
  blobs: number;
  bytes: number;
  tags: number;
}

/** What `dray cache check` found (and, with repair, did). */
export interface CacheCheckReport {
  layouts: CheckedLayout[];
  /** Entry files read, the broken ones included. */
  entries: number;
  problems: CheckProblem[];
  repair: boolean;
}

/** What to check. */
export interface CheckCacheOptions {
  /** `.dray/cache`. */
  cacheDir: string;
  /** The layout the cache's images live in (`.dray/oci`); absent when there is none yet. */
  images: LayoutStore | undefined;
  /** The layout of pulled base images (`.dray/bases`), if there is one: checked the same way. */
  bases?: LayoutStore | undefined;
  repair: boolean;
}

/** Checks (and with `repair`, repairs) the cache and its layouts. */
export async function checkCache(options: CheckCacheOptions): Promise<CacheCheckReport> {
  const layouts: { store: LayoutStore; check: LayoutCheck; problems: CheckProblem[] }[] = [];
  for (const [store, rebuilt] of [
    [options.images, "tags the service again"],
    [options.bases, "pulls the base image again"],
  ] as const) {
    if (!store) continue;
    const check = await checkLayout(store);
    layouts.push({ store, check, problems: layoutProblems(check, rebuilt) });
  }
  const scan = await scanEntries(options.cacheDir);
  const broken = new Map<string, CheckProblem>();
  for (const file of scan.corrupt) broken.set(file, unreadableEntry(file));
  const images = options.images && layouts[0]?.check;
  for (const { entry, file } of scan.entries) {
    const problem = await entryProblem(entry, file, images);
    if (problem) broken.set(file, problem);
  }
  if (options.repair) {
    for (const layout of layouts) await repairLayout(layout.store, layout.check, layout.problems);
    await removeEntries(options.cacheDir, broken);
  }
  const problems = [...layouts.flatMap((layout) => layout.problems), ...broken.values()];
  return {
    layouts: layouts.map(({ check }) => ({
      root: check.root,
      blobs: check.blobs,
      bytes: check.bytes,
      tags: check.tags,
    })),
    entries: scan.entries.length + scan.corrupt.length,
    problems,
    repair: options.repair,
  };
}

function layoutProblems(check: LayoutCheck, rebuilt: string): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const index = path.join(check.root, "index.json");
  if (check.unreadableIndex !== undefined) {
    problems.push({
      kind: "index",
      subject: "index.json",
      file: index,
      problem: `does not parse (${check.unreadableIndex})`,
      ...fix(
        "replace it with an empty index",
        "replaced it with an empty index",
        "tags (or pulls) what it needs again",
      ),
      repaired: false,
    });
  }
  for (const [digest, actual] of check.corrupt) {
    problems.push({
      kind: "blob",
      subject: `blob ${digest}`,
      file: blobFilePath(check.root, digest),
      blob: digest,
      problem: `its content hashes to ${actual}`,
      ...fix("remove it", "removed it", "writes it again"),
      repaired: false,
    });
  }
  for (const broken of check.brokenTags) {
    problems.push({
      kind: "tag",
      subject: `tag ${broken.tag}`,
      file: index,
      blob: broken.blob,
      problem: `its image needs blob ${broken.blob}, which ${FAULTS[broken.fault]}`,
      ...fix("remove the tag", "removed the tag", rebuilt),
      repaired: false,
    });
  }
  return problems;
}

/** The two forms of a repair and what the next build then does. */
function fix(todo: string, done: string, then: string): { fix: string; fixed: string } {
  return { fix: `${todo}; the next build ${then}`, fixed: `${done}; the next build ${then}` };
}

const FAULTS: Record<BlobFault, string> = {
  missing: "is missing",
  corrupt: "is corrupted",
  size: "is not the size its descriptor says",
  unparsable: "does not parse",
};

function unreadableEntry(file: string): CheckProblem {
  const key = keyOfEntryFile(path.basename(file));
  return {
    kind: "entry",
    subject: `cache entry ${key}`,
    file,
    problem: "is not a cache entry for its key (torn, edited, or written by another version of dray)",
    ...fix("remove it", "removed it", "of its service builds it again"),
    repaired: false,
  };
}

/** The first reason the entry cannot be used: ingredients that do not hash to its keys, or a blob it needs that is not intact at its size. */
async function entryProblem(
  entry: CacheEntry,
  file: string,
  images: LayoutCheck | undefined,
): Promise<CheckProblem | undefined> {
  const problem = (text: string, blob?: Digest): CheckProblem => ({
    kind: "entry",
    subject: `cache entry ${entry.key} (${entry.service})`,
    file,
    ...(blob ? { blob } : {}),
    problem: text,
    ...fix("remove it", "removed it", `of ${entry.service} builds it again`),
    repaired: false,
  });
  for (const platform of entry.platforms) {
    if (platformKeyOf(platform.ingredients) !== platform.key)
      return problem(`the ingredients of ${platform.platform} do not hash to its key`);
  }
  for (const blob of entryBlobs(entry)) {
    const state = images ? await images.blobState(blob.digest) : { state: "missing" as const };
    const fault: BlobFault | undefined =
      state.state !== "ok" ? state.state : state.size !== blob.size ? "size" : undefined;
    if (fault) return problem(`needs blob ${blob.digest}, which ${FAULTS[fault]}`, blob.digest);
  }
  return undefined;
}

/** Layout repairs in an order that never leaves a tag on a blob that is gone: index, tags, then blobs. */
async function repairLayout(
  store: LayoutStore,
  check: LayoutCheck,
  problems: readonly CheckProblem[],
): Promise<void> {
  if (check.unreadableIndex !== undefined) await store.resetIndex();
  if (check.brokenTags.length > 0) await store.untag(check.brokenTags.map((broken) => broken.tag));
  const removed = new Set(await store.removeCorruptBlobs([...check.corrupt.keys()]));
  for (const problem of problems) {
    problem.repaired = true;
    // Hashed again before removal: a build in another process may have rewritten it correctly.
    if (problem.kind === "blob" && !removed.has(problem.blob!))
      problem.fixed = "nothing to do: another build rewrote it correctly since it was hashed";
  }
}

/** Removes the broken entry files under the cache lock, then rewrites size.json exactly. */
async function removeEntries(cacheDir: string, broken: ReadonlyMap<string, CheckProblem>): Promise<void> {
  if (broken.size === 0) return;
  await withCacheLock(cacheDir, async () => {
    for (const [file, problem] of broken) {
      // rm, not unlink: an entry path that is a directory is broken too.
      await rm(file, { recursive: true, force: true });
      problem.repaired = true;
    }
    const { entries } = await scanEntries(cacheDir);
    await writeSizeFile(cacheDir, referencedBlobs(entries.map((scanned) => scanned.entry)));
  });
}
