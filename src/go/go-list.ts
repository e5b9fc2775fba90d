/**
 * The one way dray runs `go list`, so that every caller fails alike: Go missing is an environment
 * problem (exit 3); a module `go list` cannot load is a failed run (exit 1) that shows the
 * compiler's own output.
 */
import { ExitCode, UserError } from "../errors/index.js";
import { exec } from "../io/index.js";
import { goNotFound, isMissingProgram } from "./toolchain.js";

/** Where and how to run one `go list`. */
export interface GoListRun {
  /** The go binary (a name on PATH or a path). */
  go: string;
  /** The directory go runs in: a module root. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Listings of large monorepos run to megabytes; keeping only a tail would cut the JSON. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * `go list ARGS` in `run.cwd`; resolves to its standard output. Callers pass `-e`, with which go
 * reports a package that does not load in the listing itself; a non-zero exit with nothing listed
 * means the module as a whole did not load.
 */
export async function runGoList(run: GoListRun, args: readonly string[]): Promise<string> {
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec(run.go, ["list", ...args], { cwd: run.cwd, env: run.env, maxOutput: MAX_OUTPUT });
  } catch (error) {
    if (isMissingProgram(error)) throw goNotFound(run.go);
    throw error;
  }
  if (result.code !== 0 && result.stdout.trim() === "") {
    throw new UserError(`go list failed in ${run.cwd}`, {
      exitCode: ExitCode.failed,
      details: result.stderr.trim() || `go list exited with ${result.signal ?? `code ${result.code}`}`,
      hint: "Fix the module so that `go list ./...` succeeds in it, then run dray again.",
    });
  }
  return result.stdout;
}
