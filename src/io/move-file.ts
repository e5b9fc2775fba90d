/** Putting a finished file in its place without reading it into memory, with the guarantees of writeFileAtomic. */
import { randomBytes } from "node:crypto";
import { copyFile, open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { TEMP_PREFIX } from "./atomic-write.js";

/**
 * Renames `from` (a complete, fsynced file) to `to`, replacing what is there. Across file systems,
 * where rename(2) fails with EXDEV, it copies instead (see copyFileAtomic) and then removes `from`.
 */
export async function moveFileAtomic(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await copyFileAtomic(from, to);
    await unlink(from);
  }
}

/**
 * Copies `from` to a temp file next to `to` (copy_file_range where the kernel has it, so the bytes
 * never pass through this process), fsyncs it and renames it over `to`: a reader sees the old file or
 * the whole new one. The temp file is removed when anything fails.
 */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  const temp = path.join(path.dirname(to), `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString("hex")}`);
  try {
    await copyFile(from, temp);
    const handle = await open(temp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, to);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
