/** Creating the directories dray writes into (.dray/oci, .dray/cache, scratch space), saying why it could not. */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { withFileSystemFault } from "../errors/index.js";

/**
 * `mkdir -p dir`; returns the first directory it created, like `mkdir(dir, { recursive: true })`.
 * Where that fails, Node reports ENOENT for a component it could not make (on a read-only file
 * system, say), hiding the reason: the first missing component is then made on its own, which
 * fails with the real one. A fault the user can fix is a UserError naming the directory.
 */
export async function ensureDirectory(dir: string): Promise<string | undefined> {
  try {
    return await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw withFileSystemFault(error, { writing: true });
    const first = await firstMissing(path.resolve(dir));
    const made =
      first === undefined
        ? undefined
        : await mkdir(first).then(
            () => first,
            (reason: NodeJS.ErrnoException) => {
              if (reason.code !== "EEXIST") throw withFileSystemFault(reason, { writing: true });
              return undefined;
            },
          );
    // The component could be made after all (another process raced this one): try the whole again.
    const rest = await mkdir(dir, { recursive: true }).catch((again: unknown) => {
      throw withFileSystemFault(again, { writing: true });
    });
    return made ?? rest;
  }
}

/** The highest component of `dir` that does not exist; undefined when every one does. */
async function firstMissing(dir: string): Promise<string | undefined> {
  let missing: string | undefined;
  for (let at = dir; ; at = path.dirname(at)) {
    if (
      await stat(at).then(
        () => true,
        () => false,
      )
    )
      return missing;
    missing = at;
    if (path.dirname(at) === at) return missing;
  }
}
