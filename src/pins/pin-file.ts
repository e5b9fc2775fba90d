/**
 * dray.lock, beside dray.yaml: the digest each registry base's tag pointed at when `dray update-base`
 * last looked. Builds read it and pull by digest, so a tag moved in the registry changes no image
 * (and no input key) until someone updates the lock and commits the change.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RegistryBase, ResolvedConfig } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { writeFileAtomic } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { type LockFile, parseLockFile, renderLockFile } from "./pin-format.js";

export type { LockedBase, LockFile } from "./pin-format.js";

/** The lock file's name; it lives in the project root, next to dray.yaml. */
export const LOCK_FILE = "dray.lock";

/** Where the lock of the project at `root` lives. */
export function lockFilePath(root: string): string {
  return path.join(root, LOCK_FILE);
}

/** The lock file as the user would name it: relative to where they are. */
function displayName(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** Reads dray.lock; a missing file is an empty lock, a broken one a UserError at its line. */
export async function readLockFile(root: string): Promise<LockFile> {
  const file = lockFilePath(root);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { bases: {} };
    throw new UserError(`cannot read ${displayName(file)} (${code ?? "an unknown error"})`, {
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
  return parseLockFile(text, displayName(file));
}

/** Writes dray.lock atomically (temp file, then rename); equal locks give equal bytes. */
export async function writeLockFile(root: string, lock: LockFile): Promise<void> {
  await writeFileAtomic(lockFilePath(root), renderLockFile(lock));
}

/** The digest dray.lock holds for `image` (a base reference as written), if any. */
export function lockedDigest(lock: LockFile, image: string): Digest | undefined {
  return Object.hasOwn(lock.bases, image) ? lock.bases[image]!.digest : undefined;
}

/** The digest a build pulls `base` by: written in the reference, else locked; undefined when neither. */
export function pinnedDigest(base: RegistryBase, lock: LockFile): Digest | undefined {
  return base.digest ?? lockedDigest(lock, base.image);
}

/** Every registry base of the config, one per reference as written, sorted; the first service's settings win. */
export function registryBases(config: ResolvedConfig): RegistryBase[] {
  const bases = new Map<string, RegistryBase>();
  for (const service of config.services) {
    if (service.base.kind === "registry" && !bases.has(service.base.image)) {
      bases.set(service.base.image, service.base);
    }
  }
  return [...bases.values()].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

/** Registry bases with neither a digest in the reference nor an entry in the lock, as written, sorted. */
export function missingLocks(config: ResolvedConfig, lock: LockFile): string[] {
  return registryBases(config)
    .filter((base) => pinnedDigest(base, lock) === undefined)
    .map((base) => base.image);
}

/** Throws the UserError a build gives when a registry base is not locked; builds never resolve tags. */
export function requireLocks(config: ResolvedConfig, lock: LockFile): void {
  const missing = missingLocks(config, lock);
  if (missing.length === 0) return;
  const what = missing.length === 1 ? "a registry base that is" : `${missing.length} registry bases that are`;
  throw new UserError(`dray.yaml names ${what} not in ${LOCK_FILE}`, {
    exitCode: ExitCode.usage,
    details: missing.map((image) => `  ${image}`).join("\n"),
    hint: "Run `dray update-base` to resolve their tags to digests and write dray.lock, then commit it.",
  });
}
