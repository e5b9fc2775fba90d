/**
 * The values of the version stamps, asked of git once per run and only when dray.yaml uses one
 * (see stamps.ts). Nothing here reads a clock: every value is a function of the commit, its tags and
 * — for a working tree — whether tracked files differ from it.
 */
import { ExitCode, UserError } from "../errors/index.js";
import { exec } from "../io/index.js";
import { formatPath } from "./problems.js";
import type { StampField, Stamps } from "./stamps.js";
import type { ConfigPath } from "./types.js";

/** Where and as of what git is asked. */
export interface StampSource {
  /** A directory of the repository: the project root. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A commit to describe instead of the working tree (`dray plan --since`): never dirty, never from the environment. */
  revision?: string;
  /** The fields dray.yaml uses, each with the first place it does (for messages). */
  used: ReadonlyMap<StampField, ConfigPath>;
  locate: (path: ConfigPath) => string;
}

/** Length of `{{.ShortCommit}}` (and of the hash `{{.Version}}` falls back to): fixed, as Go's pseudo-versions fix it, so no clone abbreviates differently. */
export const SHORT_COMMIT_LENGTH = 12;

/** Variables that stand in for git where there is no repository (a source archive, `dray verify`'s fresh copy). */
export const STAMP_VARIABLES = {
  commit: "DRAY_GIT_COMMIT",
  version: "DRAY_GIT_VERSION",
  commitTime: "DRAY_GIT_COMMIT_TIME",
} as const;

const GIT_HINT = `Build from a git checkout with at least one commit, or set ${STAMP_VARIABLES.commit}, ${STAMP_VARIABLES.version} and ${STAMP_VARIABLES.commitTime} (seconds since 1970) to stand in for git, or remove the template.`;

/** The stamps for the fields in `source.used`, from the environment's stand-ins or from git. */
export async function readStamps(source: StampSource): Promise<Stamps> {
  if (source.revision === undefined && source.env[STAMP_VARIABLES.commit] !== undefined)
    return stampsFromEnvironment(source.env, source.used);
  const needsCommit = [...source.used.keys()].some((f) => f !== "Version");
  const rev = source.revision ?? "HEAD";
  const [commit, version] = await Promise.all([
    needsCommit ? git(source, ["log", "-1", "--no-show-signature", "--format=%H %ct", rev, "--"]) : "",
    source.used.has("Version")
      ? git(source, [
          "describe",
          "--tags",
          "--always",
          `--abbrev=${SHORT_COMMIT_LENGTH}`,
          ...(source.revision === undefined ? ["--dirty"] : [source.revision]),
        ])
      : "",
  ]);
  const [hash = "", seconds = "0"] = commit.trim().split(" ");
  return {
    Version: version.trim(),
    Commit: hash,
    ShortCommit: hash.slice(0, SHORT_COMMIT_LENGTH),
    CommitTime: hash ? rfc3339(Number(seconds)) : "",
  };
}

/** The stand-ins for the fields `used`, checked: a commit is a full hash, a time whole seconds. */
export function stampsFromEnvironment(
  env: NodeJS.ProcessEnv,
  used: ReadonlyMap<StampField, unknown>,
): Stamps {
  const commit = env[STAMP_VARIABLES.commit] ?? "";
  const time = env[STAMP_VARIABLES.commitTime] ?? "";
  const version = env[STAMP_VARIABLES.version] ?? "";
  const wrong = (variable: string, what: string) =>
    new UserError(`$${variable} must be ${what}`, {
      exitCode: ExitCode.usage,
      hint: `${STAMP_VARIABLES.commit}, ${STAMP_VARIABLES.version} and ${STAMP_VARIABLES.commitTime} stand in for git together; unset ${STAMP_VARIABLES.commit} to ask git.`,
    });
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit))
    throw wrong(STAMP_VARIABLES.commit, "a full commit hash (40 or 64 lowercase hex digits)");
  if (used.has("CommitTime") && !/^\d{1,12}$/.test(time))
    throw wrong(STAMP_VARIABLES.commitTime, "the commit's time in seconds since 1970");
  if (used.has("Version") && version === "") throw wrong(STAMP_VARIABLES.version, "the version, e.g. v1.2.3");
  return {
    Version: version,
    Commit: commit,
    ShortCommit: commit.slice(0, SHORT_COMMIT_LENGTH),
    CommitTime: /^\d{1,12}$/.test(time) ? rfc3339(Number(time)) : "",
  };
}

/** The stand-in variables that give another dray process the same stamps (`dray verify`'s fresh copy). */
export function stampEnvironment(stamps: Stamps): Record<string, string> {
  const env: Record<string, string> = { [STAMP_VARIABLES.commit]: stamps.Commit };
  if (stamps.Version) env[STAMP_VARIABLES.version] = stamps.Version;
  if (stamps.CommitTime) env[STAMP_VARIABLES.commitTime] = String(Date.parse(stamps.CommitTime) / 1000);
  return env;
}

/** "2024-05-01T12:00:00Z": UTC, whole seconds. */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Where the stamps are first used, for messages: "dray.yaml:12:9 (services.api.ldflags[0] uses {{.Commit}})". */
function firstUse(source: StampSource): string {
  const [field, path] = [...source.used][0]!;
  return `${source.locate(path)} (${formatPath(path)} uses {{.${field}}})`;
}

async function git(source: StampSource, args: string[]): Promise<string> {
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec("git", args, { cwd: source.cwd, env: source.env });
  } catch (error) {
    throw new UserError(
      `git is needed for the version stamps at ${firstUse(source)}, but it could not be run`,
      {
        exitCode: ExitCode.environment,
        hint: `Install git (Debian: apt-get install git). ${GIT_HINT}`,
        cause: error,
      },
    );
  }
  if (result.code === 0) return result.stdout;
  const stderr = result.stderr.trim();
  const why = /not a git repository/i.test(stderr)
    ? `${source.cwd} is not in a git repository`
    : /unknown revision|bad revision|ambiguous argument|does not have any commits|needed a single revision/i.test(
          stderr,
        )
      ? `the repository has no commit ${source.revision ?? "yet"}`
      : `git ${args[0]} failed`;
  throw new UserError(`cannot render the version stamps at ${firstUse(source)}: ${why}`, {
    exitCode: ExitCode.usage,
    details: stderr,
    hint: GIT_HINT,
  });
}
