/** Writing files so that a crash leaves either the old file or the complete new one, never a mix. */
import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";

/** Name prefix of temp files; a layout directory may contain them (left over after a crash, harmless). */
export const TEMP_PREFIX = ".dray-tmp-";

/**
 * Writes `data` to a temp file in `tempDir` (same file system as `target`), fsyncs it, then renames it
 * over `target`. rename(2) is atomic, and the fsync makes sure the renamed file is not empty after a power loss.
 */
export async function writeAtomic(tempDir: string, target: string, data: Buffer): Promise<void> {
  const temp = path.join(tempDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString("hex")}`);
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
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
