/** Layers: a tar of entries, its diff_id, and its gzip blob. */
import { blobFromBytes } from "./blob.js";
import { sha256Digest } from "./digest.js";
import { DEFAULT_GZIP_LEVEL, gzipDeterministicAsync } from "./gzip.js";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";
import { type Blob, type Digest, type Layer, MediaType } from "./types.js";

/** What a layer is made with: the tar metadata, the history comment and the gzip level. */
export type LayerOptions = TarOptions & {
  /** Becomes history[].created_by, e.g. "dray: app binary". */
  comment: string;
  /** gzip level 0-9, default DEFAULT_GZIP_LEVEL (1); it changes the compressed digest, never the diff_id. */
  level?: number;
};

/**
 * Builds a gzip-compressed layer from entries. Compression runs on the thread pool, so callers can
 * create several layers with Promise.all and have them compress in parallel.
 */
export async function createLayer(entries: readonly TarEntry[], options: LayerOptions): Promise<Layer> {
  const tar = writeTar(entries, options);
  const compressed = await gzipDeterministicAsync(tar, options.level ?? DEFAULT_GZIP_LEVEL);
  return layerFromParts(tar, compressed, options.comment);
}

/** A layer from a tar and its gzip, for callers that time packing and compressing as separate steps. */
export function layerFromParts(tar: Buffer, compressed: Buffer, comment: string): Layer {
  return {
    blob: blobFromBytes(MediaType.layerGzip, compressed),
    diffId: sha256Digest(tar),
    uncompressedSize: tar.length,
    comment,
  };
}

/**
 * A layer over an existing blob (a base image's layer, a cached one). `uncompressedSize` is 0 when unknown:
 * learning it would mean decompressing the blob, which a lazy layer avoids.
 */
export function layerFromBlob(blob: Blob, diffId: Digest, comment: string, uncompressedSize = 0): Layer {
  return { blob, diffId, uncompressedSize, comment };
}
