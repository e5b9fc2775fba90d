/** Content addresses: https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests */
import { createHash } from "node:crypto";
import type { Digest } from "./types.js";

/** A digest's grammar, unanchored, for patterns that embed one (image references). */
export const DIGEST_GRAMMAR = "sha256:[0-9a-f]{64}";
const DIGEST_PATTERN = new RegExp(`^${DIGEST_GRAMMAR}$`);

/** The sha256 digest of `data` (a string is hashed as its UTF-8 bytes). */
export function sha256Digest(data: Buffer | string): Digest {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** True for `sha256:` followed by exactly 64 lowercase hex digits; the only algorithm dray reads or writes. */
export function isDigest(s: unknown): s is Digest {
  return typeof s === "string" && DIGEST_PATTERN.test(s);
}

/** The hex part of a digest, e.g. the file name under `blobs/sha256/`. Throws on a malformed digest so it can never become a path like `../x`. */
export function digestHex(d: Digest): string {
  if (!isDigest(d)) throw new Error(`not a sha256 digest: ${JSON.stringify(d)}`);
  return d.slice("sha256:".length);
}
