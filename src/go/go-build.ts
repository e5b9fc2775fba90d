/** Running `go build` for a service: the one place that turns its settings into a compiler process. */
import { type ExecResult, exec } from "../io/index.js";
import type { Platform } from "../oci/index.js";
import { cCompilerFor, currentHost } from "./cross-cc.js";
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

/** User variables that reach the compiler's output unasked; a reproduction must carry them too. */
// GOWORK too: dray decides it per module (a module outside the project's go.work builds with GOWORK=off).
const PASSED_THROUGH = ["GOFLAGS", "GOEXPERIMENT", "GOWORK"] as const;

/**
 * The variables dray sets for a build, in the order a reproduction shows them: the platform's, the
 * user's GOFLAGS and GOEXPERIMENT when set, and a cross C compiler when cgo needs one.
 */
export function buildEnvironment(
  settings: GoBuildSettings,
  platform: Platform,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const out = goPlatformEnv(settings, platform);
  for (const name of PASSED_THROUGH) if (env[name]) out[name] = env[name];
  const cc = cCompilerFor(settings, platform, env, currentHost(env));
  return cc.kind === "cross" ? { ...out, ...cc.env } : out;
}

/** `go build` with the service's flags, for `platform`, sharing the run's build cache. Never throws for a failed compile. */
export function runGoBuild(
  settings: GoBuildSettings,
  platform: Platform,
  run: GoBuildRun,
): Promise<ExecResult> {
  return exec(run.toolchain.go, [...goBuildArgs(settings), "-o", run.out, ...run.packages], {
    cwd: run.cwd,
    env: { ...run.env, GOCACHE: run.toolchain.gocache, ...buildEnvironment(settings, platform, run.env) },
    ...(run.signal ? { signal: run.signal } : {}),
  });
}

/** A word as a POSIX shell reads it back unchanged: bare when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * A shell line that runs the compile dray ran — same directory, variables, flags and package —
 * for a user to paste. The binary goes to /dev/null: the point is the compiler's messages.
 */
export function reproduceCommand(
  settings: GoBuildSettings,
  platform: Platform,
  run: Pick<GoBuildRun, "toolchain" | "cwd" | "packages" | "env">,
): string {
  const env = Object.entries(buildEnvironment(settings, platform, run.env)).map(
    ([name, value]) => `${name}=${shellQuote(value)}`,
  );
  const argv = [run.toolchain.go, ...goBuildArgs(settings), "-o", "/dev/null", ...run.packages];
  return `cd ${shellQuote(run.cwd)} && ${[...env, ...argv.map(shellQuote)].join(" ")}`;
}
