/** The interface of a local OCI image layout, apart from its implementation (layout.ts) so that
 * the code layout.ts itself uses (garbage collection, image resolution) can name it. */
import type { Blob, Descriptor, Digest, ImageSet } from "./types.js";

/** A local OCI image layout: a source and a sink of blobs, plus tags in index.json. */
export interface LayoutStore {
  readonly root: string;
  hasBlob(digest: Digest): Promise<boolean>;
  /** The blob's bytes, verified against its digest; a missing or corrupted blob is a UserError. */
  readBlob(digest: Digest): Promise<Buffer>;
  /** Write every blob of the set (layers, configs, manifests, index); content-addressed, temp file + rename, skips blobs already present, verifies digest of what it writes. */
  writeImageSet(set: ImageSet): Promise<void>;
  /** Writes one blob unless present; throws, writing nothing, if its bytes do not match its descriptor. */
  writeBlob(blob: Blob): Promise<void>;
  /** Point tags (ref names) at descriptors in one atomic rewrite of index.json (temp + rename), replacing earlier descriptors with the same ref name, keeping others. */
  tag(tags: Record<string, Descriptor>): Promise<void>;
  /** The descriptor a ref name points at (without its ref.name annotation). */
  resolve(ref: string): Promise<Descriptor | undefined>;
  /** Every ref name in index.json and what it points at. */
  listTags(): Promise<Record<string, Descriptor>>;
  /** Every blob file in the layout with its size on disk, sorted by digest. */
  listBlobs(): Promise<{ digest: Digest; size: number }[]>;
  /** Deletes these blobs except those index.json reaches (index → manifests → config and layers); returns the bytes freed. */
  removeBlobs(digests: readonly Digest[]): Promise<number>;
}
