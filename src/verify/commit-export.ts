/**
 * A commit's files, as `git archive` exports them, in a scratch directory under the project's
 * `.dray/tmp`: the user's working tree, index and `.git` are only read, never written (no worktree is
 * registered, no checkout moves HEAD), and a run that is killed leaves nothing the next run's scratch
 * sweep does not remove.
 */
import { access, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { exec } from "../io/index.js";

/** Where the commit was exported to. */
export interface ExportedCommit {
  /** The repository's top directory (where the commit was read from). */
  repository: string;
  /** The exported project: the directory of dray.yaml inside the export. */
  root: string;
  /** dray.yaml inside the export. */
  configFile: string;
}

/** Exports the project at `commit` (dray.yaml at `configPath` from the repository's top) into `scratch`. */
export async function exportCommit(options: {
  /** Any directory inside the user's repository. */
  from: string;
  commit: string;
  configPath: string;
  scratch: string;
}): Promise<ExportedCommit> {
  const { commit, configPath, scratch } = options;
  // The path comes from a statement in a registry: it must stay inside the export.
  if (!isPlainRelative(configPath)) {
    throw new UserError(
      `the provenance names dray.yaml as ${JSON.stringify(configPath)}, which is not a plain relative path inside a checkout`,
    );
  }
  const git = (args: string[], cwd: string) =>
    exec("git", args, { cwd, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" } }).catch(
      (error) => {
        throw new UserError("git is needed to check the recorded commit out, but could not be run", {
          exitCode: ExitCode.environment,
          hint: "Install git.",
          cause: error,
        });
      },
    );
  const top = await git(["rev-parse", "--show-toplevel"], options.from);
  if (top.code !== 0) {
    throw new UserError(`${options.from} is not in a git repository: there is no commit to rebuild from`, {
      exitCode: ExitCode.usage,
      hint: "Run dray verify --image in a clone of the repository the image was built from.",
    });
  }
  const repository = top.stdout.trim();
  const found = await git(["cat-file", "-e", `${commit}^{commit}`], repository);
  if (found.code !== 0) {
    throw new UserError(`commit ${commit} is not in the repository at ${repository}`, {
      exitCode: ExitCode.environment,
      hint: `Fetch it (\`git fetch origin ${commit}\`, or \`git fetch --all --tags\`) and run dray verify --image again.`,
    });
  }
  const prefix = path.posix.dirname(configPath);
  const tarFile = path.join(scratch, "commit.tar");
  const tree = path.join(scratch, "tree");
  const archive = await git(
    ["archive", "--format=tar", "-o", tarFile, commit, ...(prefix === "." ? [] : [`${prefix}/`])],
    repository,
  );
  if (archive.code !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.trim()}`);
  // The export stands for a checkout's top: a .git there stops the search for .gitignore files above
  // it, which would otherwise reach the project's own (and its `.dray/` rule would ignore everything).
  await mkdir(path.join(tree, ".git"), { recursive: true });
  const untar = await exec("tar", ["-xf", tarFile, "-C", tree]);
  if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr.trim()}`);
  await rm(tarFile, { force: true });
  const configFile = path.join(tree, ...configPath.split("/"));
  try {
    await access(configFile);
  } catch {
    throw new UserError(`commit ${commit.slice(0, 12)} has no ${configPath}, which its provenance names`, {
      hint: "The provenance does not describe this repository's history; check that this is the right repository.",
    });
  }
  return { repository, root: path.dirname(configFile), configFile };
}

/** A "/"-separated relative path with no empty, "." or ".." part. */
function isPlainRelative(file: string): boolean {
  return (
    file.split("/").every((part) => part !== "" && part !== "." && part !== "..") && !file.includes("\0")
  );
}
