/**
 * TEST HELPER: the consistency check the fault tests run after every fault (a kill -9, a full disk,
 * racing processes, a corrupted blob). Written from the OCI image-layout spec and the cache's file
 * format, not with dray's code, so that it judges dray rather than agreeing with it. Each check
 * returns the list of problems it found; an empty list means consistent.
 *
 * - layout (`.dray/oci`): every blob file hashes to its name; oci-layout and index.json parse; every
 *   image index.json reaches is complete (see image-walk.ts). Temp files (`.dray-tmp-*`) left by a
 *   killed writer are allowed: they are not blobs.
 * - cache (`.dray/cache`): every entry file parses, is stored under its own key, and every blob it
 *   names is in the layout with the size it says; last.json and size.json parse.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { imageWalker, sha256 } from "./image-walk.js";

const TEMP_PREFIX = ".dray-tmp-";
const HEX = /^[0-9a-f]{64}$/;

/** Problems of the layout at `dir`; a layout that does not exist yet is consistent (nothing was written). */
export async function checkLayout(dir: string): Promise<string[]> {
  const problems: string[] = [];
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    problems.push(`${dir}: cannot be read as a directory (${error.code})`);
    return undefined;
  });
  if (!names) return problems;
  const blobDir = path.join(dir, "blobs", "sha256");
  const blobNames = (await readdir(blobDir).catch(() => [])).filter((n) => !n.startsWith(TEMP_PREFIX));
  for (const name of blobNames) {
    const file = path.join(blobDir, name);
    if (!HEX.test(name)) {
      problems.push(`${file}: not a blob name`);
      continue;
    }
    const data = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      problems.push(`${file}: cannot be read (${error.code})`);
      return undefined;
    });
    if (data && sha256(data) !== `sha256:${name}`)
      problems.push(`blob ${name.slice(0, 12)}: content does not hash to its name (${sha256(data)})`);
  }
  const hasLayoutFile = names.includes("oci-layout");
  if (hasLayoutFile) {
    const version = (await readJson(path.join(dir, "oci-layout"), problems)) as {
      imageLayoutVersion?: string;
    };
    if (version && typeof version.imageLayoutVersion !== "string")
      problems.push(`${dir}/oci-layout: no imageLayoutVersion`);
  } else if (names.includes("index.json") || blobNames.length > 0) {
    problems.push(`${dir}: has blobs or index.json but no oci-layout file`);
  }
  if (!names.includes("index.json")) {
    if (hasLayoutFile) problems.push(`${dir}: has an oci-layout file but no index.json`);
    return problems;
  }
  const index = (await readJson(path.join(dir, "index.json"), problems)) as
    | { manifests?: { digest: string; size: number; annotations?: Record<string, string> }[] }
    | undefined;
  if (!index) return problems;
  if (!Array.isArray(index.manifests)) return [...problems, `${dir}/index.json: no manifests list`];
  const walker = imageWalker({
    read: (digest) => readFile(path.join(blobDir, digest.slice(7))).catch(() => undefined),
  });
  for (const entry of index.manifests) {
    const tag = entry.annotations?.["org.opencontainers.image.ref.name"] ?? entry.digest;
    await walker.walk(entry, `tag ${tag}`, problems);
  }
  return problems;
}

/** Problems of the build cache at `cacheDir`, whose blobs live in the layout at `layoutDir`. */
export async function checkCache(cacheDir: string, layoutDir: string): Promise<string[]> {
  const problems: string[] = [];
  const entriesDir = path.join(cacheDir, "entries");
  const names = await readdir(entriesDir).catch(() => []);
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX)) continue;
    const file = path.join(entriesDir, name);
    const match = /^([0-9a-f]{64})\.json$/.exec(name);
    if (!match) {
      problems.push(`${file}: not an entry file name`);
      continue;
    }
    const entry = (await readJson(file, problems)) as CacheEntryFile | undefined;
    if (!entry) continue;
    const short = `cache entry ${match[1]!.slice(0, 12)} (${entry.service})`;
    if (entry.key !== `sha256:${match[1]}`)
      problems.push(`${short}: stored under another key (${entry.key})`);
    if (!Array.isArray(entry.blobs) || !entry.top || !Array.isArray(entry.platforms)) {
      problems.push(`${short}: lacks blobs, top or platforms`);
      continue;
    }
    const sizes = new Map(entry.blobs.map((b) => [b.digest, b.size]));
    const named = [entry.top.digest, ...entry.platforms.map((p) => p.manifest?.digest ?? "(no manifest)")];
    for (const digest of named)
      if (!sizes.has(digest)) problems.push(`${short}: ${digest} is not among its blobs`);
    for (const [digest, size] of sizes) {
      const info = await stat(path.join(layoutDir, "blobs", "sha256", String(digest).slice(7))).catch(
        () => undefined,
      );
      if (!info?.isFile()) problems.push(`${short}: blob ${digest} is not in the layout`);
      else if (info.size !== size)
        problems.push(`${short}: blob ${digest} has ${info.size} bytes, not ${size}`);
    }
  }
  for (const file of ["last.json", "size.json"]) {
    const full = path.join(cacheDir, file);
    if (await stat(full).catch(() => undefined)) await readJson(full, problems);
  }
  return problems;
}

/** The layout and cache of a project (`<root>/.dray`). */
export async function checkProjectState(root: string): Promise<string[]> {
  const layout = path.join(root, ".dray", "oci");
  return [...(await checkLayout(layout)), ...(await checkCache(path.join(root, ".dray", "cache"), layout))];
}

interface CacheEntryFile {
  key: string;
  service: string;
  top?: { digest: string };
  platforms?: { manifest?: { digest: string } }[];
  blobs?: { digest: string; size: number }[];
}

async function readJson(file: string, problems: string[]): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    problems.push(
      `${file}: ${(error as NodeJS.ErrnoException).code ?? "does not parse"} (${(error as Error).message.split("\n")[0]})`,
    );
    return undefined;
  }
}
