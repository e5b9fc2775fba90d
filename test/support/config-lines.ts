/**
 * dray.yaml written as a list of lines, checked or resolved as the file in a project root without
 * touching the disk: the tests of config, pins and anything else that needs a ResolvedConfig.
 */
import path from "node:path";
import { type CheckConfigResult, checkConfig } from "../../src/config/check-config.js";
import type { Exists, RealPath } from "../../src/config/check-paths.js";
import { renderProblem } from "../../src/config/problems.js";
import type { ResolvedConfig } from "../../src/config/types.js";

/** Every path exists: a layout has its oci-layout file, a .json path is a file, the rest are directories. */
export const everyPathExists: Exists = (p) =>
  path.basename(p) === "oci-layout" || p.endsWith(".json") ? "file" : "directory";

/** Where the file is, what the environment holds and what is on the (imagined) disk. */
export interface ConfigLinesOptions {
  /** The project root; dray.yaml is the file in it. Default: /repo. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Default: everyPathExists. */
  exists?: Exists;
  /** Default: no symlinks, every path is where it is written. */
  realpath?: RealPath;
}

/** Checks `lines` as the root's dray.yaml (no lines: an empty file). */
export function checkLines(lines: readonly string[], options: ConfigLinesOptions = {}): CheckConfigResult {
  const root = options.root ?? "/repo";
  return checkConfig({
    source: lines.length === 0 ? "" : `${lines.join("\n")}\n`,
    file: path.join(root, "dray.yaml"),
    display: "dray.yaml",
    env: options.env ?? {},
    exists: options.exists ?? everyPathExists,
    ...(options.realpath ? { realpath: options.realpath } : {}),
  });
}

/** The resolved config of `lines`; throws, listing every problem, when they are not a valid dray.yaml. */
export function resolveLines(lines: readonly string[], options: ConfigLinesOptions = {}): ResolvedConfig {
  const result = checkLines(lines, options);
  if (!result.ok) {
    const problems = result.problems.map(renderProblem).join("\n");
    throw new Error(`unexpected problems:\n${problems}`);
  }
  return result.config;
}

/** The problems of `lines` as the user reads them ("dray.yaml:2:3  path: message"); none for a valid file. */
export function problemsOfLines(lines: readonly string[], options: ConfigLinesOptions = {}): string[] {
  const result = checkLines(lines, options);
  return result.ok ? [] : result.problems.map(renderProblem);
}
