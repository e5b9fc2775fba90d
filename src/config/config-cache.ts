/**
 * The resolved config, remembered per dray.yaml. Validation needs zod and the YAML parser, which
 * together take longer to load here than a whole no-op build; so while dray.yaml, the environment
 * it reads and the paths it names are unchanged, the resolved value is read back instead.
 */
import { lstatSync, realpathSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { statSignature, writeFileAtomic } from "../io/index.js";
import { serviceStampSites } from "./stamps.js";
import { statePaths } from "./state-paths.js";
import type { ConfigPath, ResolvedConfig, ResolvedService } from "./types.js";

/** Bumped whenever ResolvedConfig's shape changes, so an older dray's cache is never read as the new shape. */
const VERSION = 5;

interface Stored {
  version: number;
  file: string;
  signature: string;
  sourceDateEpoch: string | null;
  config: Omit<ResolvedConfig, "locate">;
  /** "services\0api\0go" → "12:9": the positions later stages point at. */
  positions: Record<string, string>;
  /**
   * Paths the config names, with "d" or "f" and where they really are: a change of kind, a deletion
   * or a symlink pointing elsewhere (perhaps out of the project) needs the full check.
   */
  paths: Record<string, string>;
}

/** Where the cache of the config at `file` lives. */
export function configCacheFile(file: string): string {
  return path.join(statePaths(path.dirname(file)).cache, "config.json");
}

/** The remembered config, if dray.yaml and everything it depends on is as it was. */
export async function readCachedConfig(
  file: string,
  display: string,
  env: NodeJS.ProcessEnv,
): Promise<ResolvedConfig | undefined> {
  let stored: Stored;
  try {
    stored = JSON.parse(await readFile(configCacheFile(file), "utf8")) as Stored;
  } catch {
    return undefined;
  }
  if (stored.version !== VERSION || stored.file !== file) return undefined;
  if (stored.sourceDateEpoch !== (env["SOURCE_DATE_EPOCH"] ?? null)) return undefined;
  if ((await statSignature(file)) !== stored.signature) return undefined;
  const states = pathStates();
  const now = await Promise.all(Object.keys(stored.paths).map(states));
  if (Object.values(stored.paths).some((state, i) => now[i] !== state)) return undefined;
  return { ...stored.config, locate: locatorFrom(stored.positions, display) };
}

/** Remember a freshly validated config. Failing to write is harmless: it is only a cache. */
export async function writeCachedConfig(
  file: string,
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const positions: Record<string, string> = {};
  const paths: Record<string, string> = {};
  const pathState = pathStates();
  const remember = (p: ConfigPath) => {
    const where = /:(\d+:\d+)$/.exec(config.locate(p));
    if (where) positions[p.join("\0")] = where[1]!;
  };
  for (const service of config.services) {
    for (const key of ["go", "command", "dir", "base", "files", "platforms", "cgo", "tags"])
      remember(["services", service.name, key]);
    remember(["services", service.name]);
    // Templates are rendered after the cache is read: their problems must still point at their lines.
    for (const site of serviceStampSites(service))
      if (site.text.includes("{{")) remember(["services", service.name, ...site.path]);
    for (const p of namedPaths(service)) paths[p] = (await pathState(p)) ?? "";
  }
  remember(["services"]);
  for (const key of ["project", "registry", "cache", "base"]) remember([key]);
  if (config.registry?.caFile)
    paths[config.registry.caFile] = (await pathState(config.registry.caFile)) ?? "";
  const { locate: _locate, ...data } = config;
  const stored: Stored = {
    version: VERSION,
    file,
    signature: await statSignature(file),
    sourceDateEpoch: env["SOURCE_DATE_EPOCH"] ?? null,
    config: data,
    positions,
    paths,
  };
  try {
    const target = configCacheFile(file);
    await mkdir(path.dirname(target), { recursive: true });
    // No fsync: a torn cache does not parse, and dray.yaml is then validated again.
    await writeFileAtomic(target, JSON.stringify(stored), { fsync: false });
  } catch {
    // A read-only checkout still builds; it just validates every time.
  }
}

/**
 * A reader of path states: "d" or "f" (what lstat finds) and the real path; undefined when missing.
 * A path that is not a symlink is really where its parent really is, so one realpath per parent
 * directory (remembered) serves the thousand services of a monorepo that share it.
 */
export function pathStates(): (p: string) => Promise<string | undefined> {
  const realDirs = new Map<string, string | undefined>();
  const realDir = (dir: string) => {
    if (!realDirs.has(dir)) realDirs.set(dir, realOrUndefined(dir));
    return realDirs.get(dir);
  };
  // Synchronous: two thousand paths of a large monorepo are each a cheap call on a cached inode,
  // where the thread pool would cost more in dispatch, promises and garbage than the calls.
  return async (p) => {
    const parent = path.dirname(p);
    const info = lstatSync(p, { throwIfNoEntry: false });
    if (!info) return undefined;
    const realParent = realDir(parent);
    const real =
      info.isSymbolicLink() ||
      realParent === undefined ||
      path.join(parent, path.basename(p)) !== p ||
      parent === p
        ? (realOrUndefined(p) ?? p)
        : path.join(realParent, path.basename(p));
    return `${info.isDirectory() ? "d" : "f"}${real}`;
  };
}

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function namedPaths(service: ResolvedService): string[] {
  const out = [service.context, ...service.files.map((f) => f.from)];
  if (service.kind === "go") out.push(service.packageDir);
  if (service.base.kind === "layout") out.push(service.base.layout);
  if (service.base.kind === "registry" && service.base.caFile) out.push(service.base.caFile);
  return out;
}

/** `locate` from remembered positions: the exact path, else its nearest remembered parent, else the file. */
function locatorFrom(positions: Record<string, string>, display: string): (p: ConfigPath) => string {
  return (p) => {
    for (let n = p.length; n > 0; n--) {
      const where = positions[p.slice(0, n).join("\0")];
      if (where) return `${display}:${where}`;
    }
    return display;
  };
}
