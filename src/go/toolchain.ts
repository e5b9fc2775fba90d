/** Finding the Go toolchain and the facts about it that builds depend on. */
import { ExitCode, UserError } from "../errors/index.js";
import { exec } from "../io/index.js";
import { compareGoVersions } from "./go-version.js";

/** The Go toolchain dray compiles with. */
export interface GoToolchain {
  /** Path or name of the `go` command. */
  readonly go: string;
  /** e.g. "go1.23.5" — part of every Go service's input key. */
  readonly version: string;
  /** The build cache shared by every compile of this run. */
  readonly gocache: string;
}

/** What to do when Go is missing, too old or broken: every such error says the same. */
export const GO_INSTALL_HINT =
  "Install Go 1.21 or newer (Debian: apt-get install golang-go, or golang-1.23-go from bookworm-backports) " +
  "and make sure `go` is on PATH, or set DRAY_GO to its path.";

/** The `go` command to run: DRAY_GO when set (and not empty), else `go` from PATH. */
export function goCommand(env: NodeJS.ProcessEnv): string {
  return env["DRAY_GO"] || "go";
}

/** The one error for a machine where `go` (a name looked up on PATH, or a path) cannot be started. */
export function goNotFound(go: string): UserError {
  const where = go.includes("/") ? `at ${go}` : `(no ${go} on PATH)`;
  return new UserError(`Go was not found ${where}`, {
    exitCode: ExitCode.environment,
    hint: GO_INSTALL_HINT,
  });
}

/** True for the error a spawn gives when the program does not exist. */
export function isMissingProgram(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

/** Locate `go` (DRAY_GO, else PATH) and read its version and cache directory with `go env`. */
export async function findGoToolchain(env: NodeJS.ProcessEnv): Promise<GoToolchain> {
  const go = goCommand(env);
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec(go, ["env", "GOVERSION", "GOCACHE"], { env: { ...env, GOTOOLCHAIN: "local" } });
  } catch (error) {
    if (isMissingProgram(error)) throw goNotFound(go);
    throw error;
  }
  if (result.code !== 0) {
    throw new UserError(`\`${go} env\` failed`, {
      exitCode: ExitCode.environment,
      details: result.stderr.trim(),
      hint: GO_INSTALL_HINT,
    });
  }
  const [version = "", gocache = ""] = result.stdout.split("\n").map((line) => line.trim());
  const minor = /^go1\.(\d+)/.exec(version);
  if (!minor || Number(minor[1]) < 21) {
    throw new UserError(`Go ${version || "(unknown version)"} is too old: dray needs Go 1.21 or newer`, {
      exitCode: ExitCode.environment,
      hint:
        "Go 1.21+ builds cgo-free programs reproducibly; older toolchains leak paths and build IDs. " +
        GO_INSTALL_HINT,
    });
  }
  return { go, version, gocache: env["GOCACHE"] || gocache };
}

/** A go line (in go.mod or go.work) that the toolchain is too old for. */
export interface UnmetGoLine {
  /** The module path, e.g. "example.com/tools". */
  module: string;
  /** The file with the go line, as the user should see it ("tools/go.mod"). */
  file: string;
  /** The version the go line asks for, e.g. "1.24". */
  version: string;
}

/**
 * The error for modules that need a newer Go than the toolchain: with GOTOOLCHAIN=local go would
 * only say `go.mod requires go >= 1.24 (running go 1.23.5; GOTOOLCHAIN=local)` from inside a
 * listing, without the module; this names both versions, the module and the file.
 */
export function toolchainTooOld(goversion: string, unmet: readonly UnmetGoLine[]): UserError {
  const needs = (u: UnmetGoLine) =>
    `module ${u.module || "(no module path)"} needs Go ${u.version} or newer (go ${u.version} in ${u.file})`;
  const newest = [...unmet]
    .map((u) => u.version)
    .sort((a, b) => compareGoVersions(a, b) ?? 0)
    .at(-1)!;
  const hint =
    `Install Go ${newest} or newer and put it first on PATH, or set DRAY_GO to its go binary. ` +
    "dray runs go with GOTOOLCHAIN=local, so go does not download a newer toolchain behind its back.";
  if (unmet.length === 1)
    return new UserError(`${needs(unmet[0]!)}, but the Go toolchain is ${goversion}`, {
      exitCode: ExitCode.environment,
      hint,
    });
  return new UserError(`${unmet.length} modules need a newer Go than the toolchain (${goversion})`, {
    exitCode: ExitCode.environment,
    details: unmet.map(needs).join("\n"),
    hint,
  });
}
