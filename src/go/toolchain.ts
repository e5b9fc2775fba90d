/** Finding the Go toolchain and the facts about it that builds depend on. */
import { ExitCode, UserError } from "../errors/errors.js";
import { exec } from "../io/exec.js";

/** The Go toolchain dray compiles with. */
export interface GoToolchain {
  /** Path or name of the `go` command. */
  readonly go: string;
  /** e.g. "go1.23.5" — part of every Go service's input key. */
  readonly version: string;
  /** The build cache shared by every compile of this run. */
  readonly gocache: string;
}

const installHint =
  "Install Go 1.21 or newer (Debian: apt-get install golang-go, or golang-1.23-go from bookworm-backports) " +
  "and make sure `go` is on PATH, or set DRAY_GO to its path.";

/** Locate `go` (DRAY_GO, else PATH) and read its version and cache directory. */
export async function findGoToolchain(env: NodeJS.ProcessEnv): Promise<GoToolchain> {
  const go = env["DRAY_GO"] || "go";
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec(go, ["env", "GOVERSION", "GOCACHE"], { env: { ...env, GOTOOLCHAIN: "local" } });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError(`the Go toolchain was not found (looked for \`${go}\`)`, {
        exitCode: ExitCode.environment,
        hint: installHint,
      });
    }
    throw error;
  }
  if (result.code !== 0) {
    throw new UserError(`\`${go} env\` failed`, {
      exitCode: ExitCode.environment,
      details: result.stderr.trim(),
      hint: installHint,
    });
  }
  const [version = "", gocache = ""] = result.stdout.split("\n").map((line) => line.trim());
  const minor = /^go1\.(\d+)/.exec(version);
  if (!minor || Number(minor[1]) < 21) {
    throw new UserError(`Go ${version || "(unknown version)"} is too old: dray needs Go 1.21 or newer`, {
      exitCode: ExitCode.environment,
      hint:
        "Go 1.21+ builds cgo-free programs reproducibly; older toolchains leak paths and build IDs. " +
        installHint,
    });
  }
  return { go, version, gocache: env["GOCACHE"] || gocache };
}
