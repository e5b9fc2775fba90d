/** Cheap change detection: a file's or directory's stat data as one comparable string. */
import { lstat } from "node:fs/promises";

/** size, mtime, ctime and inode in nanoseconds; "-" when the path does not exist. */
export async function statSignature(absPath: string): Promise<string> {
  try {
    const s = await lstat(absPath, { bigint: true });
    return `${s.isDirectory() ? "d" : "f"}${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch {
    return "-";
  }
}

/** Signatures of many paths, a bounded number of stat calls in flight. */
export async function statSignatures(absPaths: readonly string[], concurrency = 64): Promise<string[]> {
  const out = new Array<string>(absPaths.length);
  let next = 0;
  const worker = async () => {
    while (next < absPaths.length) {
      const i = next++;
      out[i] = await statSignature(absPaths[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, absPaths.length) }, worker));
  return out;
}
