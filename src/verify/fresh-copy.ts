/**
 * A copy of the project as another machine would check it out: another path, file modes as
 * another umask leaves them, and modification times from another clock. If any of those leaks
 * into an image, the digests in the copy differ.
 */
import { chmod, copyFile, lstat, mkdir, readlink, symlink, utimes } from "node:fs/promises";
import path from "node:path";
import { exec } from "../io/index.js";

/** How the copy differs from the original checkout. */
export interface CopyVariation {
  /** Permission bits removed from every file and directory, as a umask would. */
  umask: number;
  /** Every file's mtime, in seconds since the epoch. */
  mtime: number;
}

/**
 * The files of the project: git's view (tracked + untracked, not ignored) where there is one, else a
 * walk, which also lists each empty directory (with a trailing "/"): outside git, a fresh copy of the
 * project has them too. Git does not keep empty directories, and neither does a checkout of it.
 */
export async function projectFiles(root: string): Promise<string[]> {
  try {
    const result = await exec(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
      {
        cwd: root,
      },
    );
    if (result.code === 0) {
      const files = result.stdout.split("\0").filter((f) => f !== "");
      // Deleted but still tracked files are listed by --cached; skip what is not there.
      const present = await Promise.all(
        files.map((f) =>
          lstat(path.join(root, f)).then(
            () => f,
            () => undefined,
          ),
        ),
      );
      return present.filter((f): f is string => f !== undefined && !f.startsWith(".dray/"));
    }
  } catch {
    // no git on the machine: fall through to a walk
  }
  return walk(root, "");
}

async function walk(root: string, rel: string): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  const out: string[] = [];
  const entries = await readdir(path.join(root, rel), { withFileTypes: true });
  if (entries.length === 0 && rel !== "") return [`${rel}/`];
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if ([".git", ".dray", "node_modules"].includes(entry.name)) continue;
      out.push(...(await walk(root, child)));
    } else out.push(child);
  }
  return out;
}

/** Copy `files` (relative to `from`) into `to`, applying the variation. Symlinks are copied as links. */
export async function copyProject(
  from: string,
  to: string,
  files: readonly string[],
  variation: CopyVariation,
): Promise<void> {
  const dirs = new Set<string>();
  for (const file of files) {
    const source = path.join(from, file);
    const target = path.join(to, file);
    await mkdir(path.dirname(target), { recursive: true });
    for (let d = path.dirname(file); d !== "." && d !== "/"; d = path.dirname(d)) dirs.add(d);
    if (file.endsWith("/")) {
      await mkdir(target, { recursive: true });
      dirs.add(file.slice(0, -1));
      continue;
    }
    const info = await lstat(source);
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), target);
      continue;
    }
    await copyFile(source, target);
    const base = info.mode & 0o111 ? 0o777 : 0o666;
    await chmod(target, base & ~variation.umask);
    await utimes(target, variation.mtime, variation.mtime);
  }
  // Deepest first, so setting a child's time does not disturb its parent's afterwards.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    await chmod(path.join(to, dir), 0o777 & ~variation.umask);
    await utimes(path.join(to, dir), variation.mtime, variation.mtime);
  }
}
