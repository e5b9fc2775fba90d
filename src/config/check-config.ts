/**
 * The pure core of reading dray.yaml: text in, ResolvedConfig or every problem out. Parse,
 * validate, check paths, pick the epoch, resolve; the disk is reached only through `exists`.
 */
import path from "node:path";
import { checkDependsOn } from "./check-depends.js";
import { checkPaths, type Exists, type RealPath } from "./check-paths.js";
import { checkRegistrySettings } from "./check-registry.js";
import { checkSupplyChain } from "./check-supply-chain.js";
import { parseConfigYaml } from "./parse-yaml.js";
import { type LocatedProblem, locateProblems, type Problem } from "./problems.js";
import { resolveConfig } from "./resolve.js";
import { sourceDateEpochFromEnv } from "./source-date-epoch.js";
import type { ConfigPath, ResolvedConfig } from "./types.js";
import { isMap, validateConfig } from "./validate.js";

/** Everything the check needs. */
export interface CheckConfigInput {
  /** The text of dray.yaml. */
  source: string;
  /** Absolute path of dray.yaml; its directory is the project root. */
  file: string;
  /** How the file is named to the user, e.g. "dray.yaml" or "../dray.yaml" (relative to the cwd). */
  display: string;
  /** For SOURCE_DATE_EPOCH. */
  env: NodeJS.ProcessEnv;
  exists: Exists;
  /** Resolves symlinks, so that no path leaves the project through one; default: paths as written. */
  realpath?: RealPath;
  /** The project root; default: the directory of `file`. */
  root?: string;
}

/** A resolved config, or the problems that prevent it, in file order. */
export type CheckConfigResult =
  | { ok: true; config: ResolvedConfig }
  | { ok: false; problems: LocatedProblem[] };

/** Reads a dray.yaml text into a ResolvedConfig, collecting every problem. */
export function checkConfig(input: CheckConfigInput): CheckConfigResult {
  const root = input.root ?? path.dirname(input.file);
  const parsed = parseConfigYaml(input.source);
  const { locator } = parsed;
  const problems: Problem[] = [...parsed.problems];
  const syntaxBroken = parsed.data === undefined && problems.length > 0;
  const validation = syntaxBroken ? undefined : validateConfig(parsed.data);
  if (validation && !validation.ok) problems.push(...validation.problems);
  if (!syntaxBroken) problems.push(...checkPaths(parsed.data, root, input.exists, input.realpath));
  if (!syntaxBroken && isMap(parsed.data)) problems.push(...checkRegistrySettings(parsed.data));
  if (!syntaxBroken && isMap(parsed.data)) problems.push(...checkSupplyChain(parsed.data));
  if (!syntaxBroken && isMap(parsed.data)) problems.push(...checkDependsOn(parsed.data));

  // The file's sourceDateEpoch wins; the environment is read (and checked) only without one.
  let envEpoch = 0;
  if (!syntaxBroken && !(isMap(parsed.data) && "sourceDateEpoch" in parsed.data)) {
    const epoch = sourceDateEpochFromEnv(input.env);
    if (epoch.ok) envEpoch = epoch.value;
    else problems.push(epoch.problem);
  }

  if (problems.length > 0 || !validation?.ok) {
    return { ok: false, problems: locateProblems(problems, locator, input.display) };
  }
  const locate = (at: ConfigPath) => {
    const { line, column } = locator.position(at, "value");
    return `${input.display}:${line}:${column}`;
  };
  return {
    ok: true,
    config: resolveConfig(validation.config, {
      root,
      file: input.file,
      sourceDateEpoch: validation.config.sourceDateEpoch ?? envEpoch,
      locate,
    }),
  };
}
