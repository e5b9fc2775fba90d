/**
 * Layers: a tar of entries and its diff_id. A build stores its layers uncompressed (the blob is the
 * tar, its digest the diff_id); gzip is for publishing (distribution.ts) and for fixtures in memory.
 */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, open, unlink } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { blobFromBytes } from "./blob.js";
import { sha256Digest } from "./digest.js";
import { DEFAULT_GZIP_LEVEL, gzipDeterministicAsync } from "./gzip.js";
import { blobFromPackedFile } from "./packed-blob.js";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";
import { tarStream } from "./tar-stream.js";
import { type Blob, type Digest, type Layer, MediaType } from "./types.js";

/** What a layer is made with: the tar metadata, the history comment and, in memory, its compression. */
export type LayerOptions = TarOptions & {
  /** Becomes history[].created_by, e.g. "dray: app binary". */
  comment: string;
  /** gzip level 0-9, default DEFAULT_GZIP_LEVEL (1); it changes the compressed digest, never the diff_id. */
  level?: number;
  /** createLayer only: "none" keeps the tar as the blob, as a build does. Default "gzip". */
  compression?: "gzip" | "none";
};

/**
 * Builds a layer from entries in memory (entries with a `source` need packLayer): gzip-compressed on
 * the thread pool unless `compression` is "none". For small layers: base images and tests.
 */
export async function createLayer(entries: readonly TarEntry[], options: LayerOptions): Promise<Layer> {
  const tar = writeTar(entries, options);
  if (options.compression === "none") {
    return {
      blob: blobFromBytes(MediaType.layerTar, tar),
      diffId: sha256Digest(tar),
      uncompressedSize: tar.length,
      comment: options.comment,
    };
  }
  const compressed = await gzipDeterministicAsync(tar, options.level ?? DEFAULT_GZIP_LEVEL);
  return layerFromParts(tar, compressed, options.comment);
}

/**
 * The layer a build writes, streamed once: the tar (file contents read as it goes) is hashed and written
 * to a new file in `dir`, uncompressed, so the blob's digest is the diff_id and memory stays flat
 * whatever the layer's size. Nothing is compressed: a layer is gzipped only when it is published. The
 * file is fsynced; the layer's blob is over it (a layout moves it in by rename). On failure nothing is
 * left in `dir`.
 */
export async function packLayer(
  entries: readonly TarEntry[],
  options: TarOptions & { comment: string },
  dir: string,
): Promise<Layer> {
  const tar = tarStream(entries, options);
  const tarHash = createHash("sha256");
  let tarSize = 0;
  const file = path.join(dir, `layer-${randomBytes(8).toString("hex")}.tar`);
  const handle = await open(file, "wx");
  try {
    try {
      await pipeline(tar, async (chunks: AsyncIterable<Buffer>) => {
        tarSize = await writeChunks(handle, chunks, tarHash);
      });
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
  const diffId: Digest = `sha256:${tarHash.digest("hex")}`;
  return {
    blob: blobFromPackedFile({ mediaType: MediaType.layerTar, digest: diffId, size: tarSize }, file),
    diffId,
    uncompressedSize: tarSize,
    comment: options.comment,
  };
}

/** Writes every chunk at the end of the file so far, hashing it; returns the bytes written. */
async function writeChunks(
  handle: FileHandle,
  chunks: AsyncIterable<Buffer>,
  hash: ReturnType<typeof createHash>,
): Promise<number> {
  let position = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    for (let done = 0; done < chunk.length; ) {
      const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
      done += bytesWritten;
    }
    position += chunk.length;
  }
  return position;
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
