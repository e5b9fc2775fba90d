/**
 * What a `files:` mapping copies into the image. Both the key (gather-facts.ts) and the packer
 * (src/assemble) ask this one function, so a file is packed exactly when its content is in the key.
 */
import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { keepingRoot, readIgnoreRules, walkIgnoring } from "./ignore-walk.js";

/** A `files:` source as it is read. */
export interface MappedSource {
  /** The source with every symlink resolved: what is read. */
  readonly real: string;
  readonly kind: "file" | "directory";
  /**
   * For a directory, its files and symlinks that enter the image (relative to it, "/"-separated,
   * sorted bytewise; symlinks kept as links); for a file, ["."]. The key hashes exactly these.
   */
  readonly files: readonly string[];
  /** For a directory, the directories beneath it that enter the image (empty ones too); else none. */
  readonly directories: readonly string[];
}

/** dray's own state and version control data: never copied, at any depth. */
const SKIPPED = new Set([".git", ".dray"]);

const EVERYTHING = { skipped: SKIPPED, enter: () => true, keep: () => true };

/**
 * Resolves `source` (a file or directory of a service's `files:`) through symlinks and lists what it
 * copies. The source itself is always copied, even where an ignore rule names it; inside a directory,
 * .gitignore files (up to the git root) and the context's `.drayignore` leave paths out, as they do
 * for a command's `inputs`, and `.git` and `.dray` are never copied. A source that resolves outside
 * `context`, or into a `.git` or `.dray` directory, is a UserError (exit 2).
 */
export async function listMappedFiles(source: string, context: string): Promise<MappedSource> {
  const [real, realContext] = await Promise.all([realPathOf(source), realPathOf(context)]);
  const inside = path.relative(realContext, real);
  if (inside === ".." || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw new UserError(`files: ${source} resolves to ${real}, outside the service's context ${context}`, {
      exitCode: ExitCode.usage,
      hint: "copy what the image needs into the context, or replace the symlink with a copy of its target",
    });
  }
  if (inside.split(path.sep).some((part) => SKIPPED.has(part))) {
    throw new UserError(`files: ${source} is inside a .git or .dray directory, which never enters an image`, {
      exitCode: ExitCode.usage,
    });
  }
  if (!(await lstat(real)).isDirectory()) return { real, kind: "file", files: ["."], directories: [] };
  const rules = keepingRoot(await readIgnoreRules(real, realContext));
  return { real, kind: "directory", ...(await walkIgnoring(real, rules, EVERYTHING)) };
}

async function realPathOf(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") {
      throw new UserError(`files: ${p} does not exist${code === "ELOOP" ? " (a symlink loop)" : ""}`, {
        exitCode: ExitCode.usage,
        cause: error,
      });
    }
    throw error;
  }
}
