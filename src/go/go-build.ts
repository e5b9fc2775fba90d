/** Running `go build` for a service: the one place that turns its settings into a compiler process. */
import { type ExecResult, exec } from "../io/index.js";
import type { Platform } from "../oci/index.js";
import { type GoBuildSettings, goBuildArgs, goPlatformEnv } from "./flags.js";
import type { GoToolchain } from "./toolchain.js";

/** A Go service as the compilers see it: its name (for messages and file names) and its build settings. */
export interface GoBuildable extends GoBuildSettings {
  readonly name: string;
}

/** One `go build` invocation. */
export interface GoBuildRun {
  toolchain: GoToolchain;
  /** The module root. */
  cwd: string;
  /** Module-relative packages ("./services/api"). */
  packages: readonly string[];
  /** A file for one package; a directory ending in a separator for several (go names each binary). */
  out: string;
  /** The caller's environment; dray's own variables are set over it. */
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** `go build` with the service's flags, for `platform`, sharing the run's build cache. Never throws for a failed compile. */
export function runGoBuild(
  settings: GoBuildSettings,
  platform: Platform,
  run: GoBuildRun,
): Promise<ExecResult> {
  return exec(run.toolchain.go, [...goBuildArgs(settings), "-o", run.out, ...run.packages], {
    cwd: run.cwd,
    env: { ...run.env, GOCACHE: run.toolchain.gocache, ...goPlatformEnv(settings, platform) },
    ...(run.signal ? { signal: run.signal } : {}),
  });
}
