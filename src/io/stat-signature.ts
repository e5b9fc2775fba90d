/** Cheap change detection: a file's or directory's stat data as one comparable string. */
import { type BigIntStats, lstatSync } from "node:fs";
import { lstat } from "node:fs/promises";

/** size, mtime, ctime and inode in nanoseconds; "-" when the path does not exist. */
export async function statSignature(absPath: string): Promise<string> {
  try {
    return signatureOf(await lstat(absPath, { bigint: true }));
  } catch {
    return "-";
  }
}

/**
 * Signatures of many paths. Synchronous under the hood: a stat of a cached inode takes microseconds,
 * and for the tens of thousands of paths of a large monorepo a promise and a thread-pool round trip
 * each cost more than the stats themselves.
 */
export async function statSignatures(absPaths: readonly string[]): Promise<string[]> {
  return absPaths.map((absPath) => {
    try {
      const stats = lstatSync(absPath, { bigint: true, throwIfNoEntry: false });
      return stats ? signatureOf(stats) : "-";
    } catch {
      return "-";
    }
  });
}

/** Whether `signature` is a directory's. */
export function isDirectorySignature(signature: string): boolean {
  return signature.startsWith("d");
}

function signatureOf(s: BigIntStats): string {
  return `${s.isDirectory() ? "d" : "f"}${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
}
