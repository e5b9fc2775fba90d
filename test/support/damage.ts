/** Damaging a layout the way a disk, a stray tool or a careless hand does, for integrity tests. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/** The file of `digest` in the layout at `root`. */
export function blobFile(root: string, digest: string): string {
  return path.join(root, "blobs", "sha256", digest.slice("sha256:".length));
}

/** Inverts one byte in the middle of `file`: same size, other content. */
export async function flipByte(file: string): Promise<void> {
  const data = await readFile(file);
  const at = data.length >> 1;
  data[at] = data[at]! ^ 0xff;
  await writeFile(file, data);
}
