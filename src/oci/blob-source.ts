/**
 * Where a push or load reads blobs from. The OCI layout is one source; a build hands on the small
 * documents it still holds in memory (manifests, configs, indexes) in front of it, so publishing
 * right after a build does not read back from disk what the build just wrote.
 */
import type { Digest } from "./types.js";

/** Reads blobs by digest; `root` names the source in messages. */
export interface BlobSource {
  readonly root: string;
  readBlob(digest: Digest): Promise<Buffer>;
  /** Bytes [start, end) of the blob as stored, unverified (see Blob.slice); absent for sources held in memory. */
  readSlice?(digest: Digest, start: number, end: number): Promise<Buffer>;
  /** The error for the blob's stored bytes hashing to `actual`. */
  corrupted?(digest: Digest, actual: Digest): Error;
}

/** `source`, answering from `documents` first. */
export function withDocuments(source: BlobSource, documents: ReadonlyMap<Digest, Buffer>): BlobSource {
  if (documents.size === 0) return source;
  return {
    root: source.root,
    readBlob: (digest) => {
      const held = documents.get(digest);
      return held ? Promise.resolve(held) : source.readBlob(digest);
    },
    // Documents are small: only layers, which the layout holds, are read in slices.
    ...(source.readSlice ? { readSlice: source.readSlice.bind(source) } : {}),
    ...(source.corrupted ? { corrupted: source.corrupted.bind(source) } : {}),
  };
}
