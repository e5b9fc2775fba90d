/** Writing files so that a crash leaves either the old file or the complete new one, never a mix. */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { withFileSystemFault } from "../errors/index.js";

/** Name prefix of temp files; a directory written to may contain them (left over after a crash, harmless). */
export const TEMP_PREFIX = ".dray-tmp-";

/** How `writeFileAtomic` writes. */
export interface AtomicWriteOptions {
  /**
   * fsync the temp file before the rename (default true), so the renamed file is not empty after a
   * power loss. Only a cache that detects a torn file and rebuilds it cheaply should turn this off.
   */
  fsync?: boolean;
}

/**
 * Writes `data` to a temp file with a unique name next to `target`, then renames it over `target`.
 * The same directory keeps the rename on one file system, where rename(2) is atomic; concurrent
 * writers never share a temp file; the temp file is removed when anything fails. A fault the user
 * can fix (disk full, read-only, permission denied) is a UserError naming `target`.
 */
export async function writeFileAtomic(
  target: string,
  data: Buffer | string,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = path.join(
    path.dirname(target),
    `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString("hex")}`,
  );
  // Opened outside the try: a temp file this call did not create is never this call's to remove.
  const handle = await open(temp, "wx").catch((error: unknown) => {
    throw withFileSystemFault(error, { path: target, writing: true });
  });
  try {
    try {
      await handle.writeFile(data);
      if (options.fsync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw withFileSystemFault(error, { path: target, writing: true });
  }
}

/** fsyncs a directory so renames into it survive a power loss; a no-op where directories cannot be opened. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories (EINVAL); durability is then up to them.
  } finally {
    await handle.close();
  }
}
