/** The interface of a local OCI image layout, apart from its implementation (layout.ts) so that
 * the code layout.ts itself uses (garbage collection, image resolution) can name it. */
import type { Readable } from "node:stream";
import type { BlobState } from "./blob-file.js";
import type { Blob, Descriptor, Digest, ImageSet } from "./types.js";

/** A local OCI image layout: a source and a sink of blobs, plus tags in index.json. */
export interface LayoutStore {
  readonly root: string;
  hasBlob(digest: Digest): Promise<boolean>;
  /** The size of the blob's file, undefined when there is none: a cheap check that reads nothing. */
  blobSize(digest: Digest): Promise<number | undefined>;
  /** The blob's bytes, verified against its digest; a missing or corrupted blob is a UserError. */
  readBlob(digest: Digest): Promise<Buffer>;
  /** Bytes [start, end) of the blob's file, unverified: the reader hashes them; a missing blob is a UserError. */
  readSlice(digest: Digest, start: number, end: number): Promise<Buffer>;
  /** The UserError for the blob's file hashing to `actual`, with how to repair it. */
  corrupted(digest: Digest, actual: Digest): Error;
  /** Hashes the blob's file (streamed) and compares it with its name. */
  checkBlob(digest: Digest): Promise<BlobState>;
  /**
   * The blob's bytes as a stream, hashed as they go: a blob that is missing, of another size or
   * corrupted fails the stream with a UserError naming it, before its last chunk is passed on.
   */
  openBlob(descriptor: Descriptor): Readable;
  /**
   * Write every blob of the set (layers, configs, manifests, index); content-addressed, temp file + rename.
   * A blob already present is kept only if its content hashes to its digest; verifies what it writes.
   */
  writeImageSet(set: ImageSet): Promise<void>;
  /**
   * Writes one blob unless a file with its exact content is there; throws, writing nothing, if its
   * bytes do not match its descriptor. A blob over a packed file (PackedBlob, hashed as it was
   * written) is renamed into place instead.
   */
  writeBlob(blob: Blob): Promise<void>;
  /** Point tags (ref names) at descriptors in one atomic rewrite of index.json (temp + rename), replacing earlier descriptors with the same ref name, keeping others. */
  tag(tags: Record<string, Descriptor>): Promise<void>;
  /** Removes these tags from index.json in one atomic rewrite; names that are not there are ignored. */
  untag(names: readonly string[]): Promise<void>;
  /** Replaces an index.json that does not parse with an empty one; true when it did. */
  resetIndex(): Promise<boolean>;
  /** The descriptor a ref name points at (without its ref.name annotation). */
  resolve(ref: string): Promise<Descriptor | undefined>;
  /** Every ref name in index.json and what it points at. */
  listTags(): Promise<Record<string, Descriptor>>;
  /** Every blob file in the layout with its size on disk, sorted by digest. */
  listBlobs(): Promise<{ digest: Digest; size: number }[]>;
  /** Deletes these blobs except those index.json reaches (index → manifests → config and layers); returns the bytes freed. */
  removeBlobs(digests: readonly Digest[]): Promise<number>;
  /** Deletes those of these blobs whose content (hashed again now) does not match their digest, whatever reaches them; returns them. */
  removeCorruptBlobs(digests: readonly Digest[]): Promise<Digest[]>;
}
