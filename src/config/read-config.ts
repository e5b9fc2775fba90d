/**
 * The thin shell around checkConfig: finds dray.yaml, reads it, and throws one UserError that
 * lists every problem. All decisions are in the pure core; this file only touches the disk.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { readCachedConfig, writeCachedConfig } from "./config-cache.js";
import type { ResolvedConfig } from "./types.js";

/** The file name dray looks for. */
export const CONFIG_FILE = "dray.yaml";

const initHint = "Run `dray init` in the root of your monorepo to write one for its Go services.";

/** Where to look for dray.yaml. */
export interface LoadConfigOptions {
  /** Directory to start from; also what the file's name is shown relative to. */
  cwd: string;
  /** An explicit file (or a directory holding dray.yaml), relative to cwd; no walking up then. */
  file?: string;
  /** For SOURCE_DATE_EPOCH; default process.env. */
  env?: NodeJS.ProcessEnv;
}

async function kindOf(file: string): Promise<"file" | "directory" | undefined> {
  try {
    return (await stat(file)).isDirectory() ? "directory" : "file";
  } catch {
    return undefined;
  }
}

/** dray.yaml in `start` or the nearest directory above it, like git finds its repository. */
async function findUp(start: string): Promise<string | undefined> {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if ((await kindOf(candidate)) === "file") return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The absolute path of the config file to read; a UserError when there is none. */
export async function findConfigFile(cwd: string, file?: string): Promise<string> {
  if (file === undefined) {
    const found = await findUp(path.resolve(cwd));
    if (found) return found;
    throw new UserError(`no ${CONFIG_FILE} found in ${path.resolve(cwd)} or any directory above it`, {
      exitCode: ExitCode.usage,
      hint: initHint,
    });
  }
  const given = path.resolve(cwd, file);
  const kind = await kindOf(given);
  if (kind === "file") return given;
  if (kind === "directory" && (await kindOf(path.join(given, CONFIG_FILE))) === "file") {
    return path.join(given, CONFIG_FILE);
  }
  throw new UserError(`${file} does not exist${kind === "directory" ? ` (no ${CONFIG_FILE} in it)` : ""}`, {
    exitCode: ExitCode.usage,
    hint: initHint,
  });
}

/** The file's name as the user sees it: relative to where they are. */
function displayName(cwd: string, file: string): string {
  const relative = path.relative(path.resolve(cwd), file);
  return relative === "" ? file : relative;
}

/** Finds, reads, validates and resolves dray.yaml; throws one UserError listing every problem. */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const file = await findConfigFile(options.cwd, options.file);
  const display = displayName(options.cwd, file);
  const env = options.env ?? process.env;
  const cached = await readCachedConfig(file, display, env);
  if (cached) return cached;
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an unknown error";
    throw new UserError(`cannot read ${display} (${code})`, { exitCode: ExitCode.usage, cause: error });
  }
  // Loaded only when dray.yaml changed: the validator and the YAML parser are the slowest imports dray has.
  const [{ checkConfig }, { existsOnDisk, realPathOnDisk }, { configError }] = await Promise.all([
    import("./check-config.js"),
    import("./exists-on-disk.js"),
    import("./problems.js"),
  ]);
  const result = checkConfig({
    source,
    file,
    display,
    env,
    exists: existsOnDisk,
    realpath: realPathOnDisk,
  });
  if (!result.ok) throw configError(display, result.problems);
  await writeCachedConfig(file, result.config, env);
  return result.config;
}
