/** The source facts provenance records, asked of git; outside a work tree there are none. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { exec } from "../io/index.js";
import { type Digest, sha256Digest } from "../oci/index.js";
import type { SourceFacts } from "./provenance.js";

/** HEAD, whether the project's files differ from it (dray's own `.dray` aside), and origin's URL. */
export async function readSourceFacts(root: string): Promise<SourceFacts> {
  const git = (args: string[]) =>
    exec("git", args, { cwd: root, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" } }).catch(
      () => undefined,
    );
  const head = await git(["rev-parse", "--verify", "HEAD"]);
  if (!head || head.code !== 0) return { repository: undefined, commit: undefined, dirty: false };
  const [status, origin] = await Promise.all([
    git(["status", "--porcelain", "--untracked-files=normal", "--", ".", ":(exclude).dray"]),
    git(["config", "--get", "remote.origin.url"]),
  ]);
  return {
    repository: origin?.code === 0 ? withoutCredentials(origin.stdout.trim()) || undefined : undefined,
    commit: head.stdout.trim(),
    // A status that cannot be read is not proof of a clean tree.
    dirty: status?.code !== 0 || status.stdout.trim() !== "",
  };
}

/** A remote URL with any user name and password removed: they must never reach a statement. */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = "";
      parsed.password = "";
    }
    return parsed.toString();
  } catch {
    // scp-like "git@host:org/repo.git": the user there is a login name, not a secret.
    return url;
  }
}

/** dray.yaml's digest and its path relative to the project's git root (or the project). */
export async function readConfigFacts(file: string, root: string): Promise<{ digest: Digest; path: string }> {
  const top = await exec("git", ["rev-parse", "--show-toplevel"], { cwd: root }).catch(() => undefined);
  const base = top?.code === 0 ? top.stdout.trim() : root;
  return {
    digest: sha256Digest(await readFile(file)),
    path: path.relative(base, file).split(path.sep).join("/"),
  };
}
