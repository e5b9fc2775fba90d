/**
 * What `go list` reads of a path the listing cache watches: enough to tell an edit it cannot see
 * (see listing-header.ts) from one it can.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { isDirectorySignature, statSignatures } from "../io/index.js";
import { listingDigest } from "./listing-header.js";

/**
 * What `go list` reads of a path whose stat signature is `signature`: a directory's names (with
 * whether each is a directory), a Go file's header. Undefined for any other file, whose every
 * change counts, and for a path that cannot be read.
 */
export function digestOf(file: string, signature: string): string | undefined {
  try {
    if (isDirectorySignature(signature)) {
      const names = readdirSync(file, { withFileTypes: true })
        .map((entry) => `${entry.isDirectory() ? "d" : "f"}${entry.name}`)
        .sort();
      return createHash("sha256").update(names.join("\0")).digest("hex").slice(0, 32);
    }
    return file.endsWith(".go") ? listingDigest(readFileSync(file)) : undefined;
  } catch {
    return undefined;
  }
}

/** The path's listing digest, if its signature after reading it is still `signature`. */
export async function digestIfUnchanged(file: string, signature: string): Promise<string | undefined> {
  const digest = digestOf(file, signature);
  if (digest === undefined) return undefined;
  const [now] = await statSignatures([file]);
  return now === signature ? digest : undefined;
}
