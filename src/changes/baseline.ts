/** Where `dray plan` compares from: the last build recorded in the cache, or a git revision. */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { BuildCache } from "../cache/index.js";
import { readLastFile } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import { loadConfig } from "../config/index.js";
import { ExitCode, errorMessage, UserError } from "../errors/index.js";
import { computeServiceKeys, createFileHasher } from "../fingerprint/index.js";
import { exec, makeScratch } from "../io/index.js";
import type { Tracer } from "../report/index.js";
import type { BaselineService } from "./detect-changes.js";

/** The services of the last build, with the image IDs they were built as. */
export async function lastBuildBaseline(cache: BuildCache): Promise<Map<string, BaselineService>> {
  const last = await readLastFile(cache.dir);
  const out = new Map<string, BaselineService>();
  await Promise.all(
    Object.entries(last).map(async ([service, key]) => {
      const entry = await cache.get(key);
      if (!entry) return;
      out.set(service, {
        key,
        platforms: entry.platforms.map((p) => ({
          platform: p.platform,
          key: p.key,
          ingredients: p.ingredients,
          imageId: p.imageId,
        })),
      });
    }),
  );
  return out;
}

/**
 * The services as they were at git revision `ref`: the project is exported from git into a
 * temporary directory and fingerprinted there. Keys use project-relative paths only, so they are
 * comparable with the working tree's. Image IDs are known where the cache holds that key.
 */
export async function gitRefBaseline(
  config: ResolvedConfig,
  ref: string,
  options: { env: NodeJS.ProcessEnv; cache: BuildCache; tracer: Tracer },
): Promise<Map<string, BaselineService>> {
  const git = async (args: string[], cwd = config.root) => {
    const result = await exec("git", args, { cwd }).catch((error) => {
      throw new UserError("git is needed for --since but could not be run", {
        exitCode: ExitCode.environment,
        cause: error,
      });
    });
    if (result.code !== 0) {
      throw new UserError(`git ${args[0]} failed for --since ${ref}`, {
        exitCode: ExitCode.usage,
        details: result.stderr.trim(),
        hint: "--since takes a git revision: a commit, branch or tag (e.g. HEAD~1, origin/main).",
      });
    }
    return result.stdout;
  };
  const top = (await git(["rev-parse", "--show-toplevel"])).trim();
  const commit = (await git(["rev-parse", "--verify", `${ref}^{commit}`])).trim();
  const prefix = path.relative(top, config.root).split(path.sep).join("/");
  // The revision's tree is exported under the project's own .dray/tmp, never outside the project.
  const scratch = await makeScratch(config.state.tmp, "since");
  try {
    await options.tracer.span("git export", async () => {
      const tarFile = path.join(scratch, "tree.tar");
      await git(["archive", "--format=tar", "-o", tarFile, commit, ...(prefix ? [prefix] : [])], top);
      const tree = path.join(scratch, "tree");
      // The export stands for the repository's top: a .git there stops the search for ancestor
      // .gitignore files, which would otherwise reach the project's own (and its `.dray/` rule).
      await mkdir(path.join(tree, ".git"), { recursive: true });
      const untar = await exec("tar", ["-xf", tarFile, "-C", tree]);
      if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    });
    const root = path.join(scratch, "tree", prefix);
    const relFile = path.relative(config.root, config.file);
    if (!existsSync(path.join(root, relFile))) {
      throw new UserError(`${relFile} is not in ${ref}: there is nothing to compare with`, {
        exitCode: ExitCode.usage,
        hint: `Commit ${relFile} first, or run \`dray plan\` without --since to compare with the last build.`,
      });
    }
    // Messages about the exported tree name files as "REV:path", never by the scratch folder.
    const asOfRef = (text: string) =>
      text.replaceAll(`${root}${path.sep}`, `${ref}:`).replaceAll(root, `${ref}:.`);
    const then = await loadConfig({
      cwd: root,
      file: path.join(root, relFile),
      env: options.env,
      // Version stamps as of that commit: the export is no repository, and the working tree is not REV.
      stampsAt: { repository: config.root, revision: commit },
    }).catch((error) => {
      throw new UserError(`cannot read ${relFile} as of ${ref}`, {
        exitCode: ExitCode.usage,
        details: asOfRef(errorMessage(error)),
        cause: error,
      });
    });
    const hasher = await createFileHasher({ cacheFile: undefined });
    const { keys } = await options.tracer
      .span("fingerprint baseline", () =>
        computeServiceKeys(then.services, {
          config: then,
          env: options.env,
          hasher,
          cacheDir: undefined,
          tracer: options.tracer,
        }),
      )
      .catch((error) => {
        if (!(error instanceof UserError)) throw error;
        throw new UserError(`${ref}: ${asOfRef(error.message)}`, {
          exitCode: error.exitCode,
          ...(error.details ? { details: asOfRef(error.details) } : {}),
          ...(error.hint ? { hint: asOfRef(error.hint) } : {}),
          cause: error,
        });
      });
    const out = new Map<string, BaselineService>();
    for (const [service, key] of keys) {
      const entry = await options.cache.get(key.key);
      out.set(service, {
        key: key.key,
        platforms: key.platforms.map((p) => {
          const imageId = entry?.platforms.find((e) => e.platform === p.platform)?.imageId;
          return {
            platform: p.platform,
            key: p.key,
            ingredients: p.ingredients,
            ...(imageId ? { imageId } : {}),
          };
        }),
      });
    }
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
