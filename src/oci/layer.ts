/** Layers: a tar of entries, its diff_id, and its gzip blob — in memory, or streamed into a file. */
import { createHash, type Hash, randomBytes } from "node:crypto";
import { type FileHandle, open, unlink } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { blobFromBytes } from "./blob.js";
import { sha256Digest } from "./digest.js";
import { createGzipDeterministic, DEFAULT_GZIP_LEVEL, gzipDeterministicAsync } from "./gzip.js";
import { blobFromPackedFile } from "./packed-blob.js";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";
import { tarStream } from "./tar-stream.js";
import { type Blob, type Digest, type Layer, MediaType } from "./types.js";

/** What a layer is made with: the tar metadata, the history comment and the gzip level. */
export type LayerOptions = TarOptions & {
  /** Becomes history[].created_by, e.g. "dray: app binary". */
  comment: string;
  /** gzip level 0-9, default DEFAULT_GZIP_LEVEL (1); it changes the compressed digest, never the diff_id. */
  level?: number;
};

/**
 * Builds a gzip-compressed layer from entries, in memory (entries with a `source` need packLayer).
 * Compression runs on the thread pool, so callers can create several layers with Promise.all and have
 * them compress in parallel.
 */
export async function createLayer(entries: readonly TarEntry[], options: LayerOptions): Promise<Layer> {
  const tar = writeTar(entries, options);
  const compressed = await gzipDeterministicAsync(tar, options.level ?? DEFAULT_GZIP_LEVEL);
  return layerFromParts(tar, compressed, options.comment);
}

/**
 * The same layer as createLayer, streamed: the tar (file contents read as it goes) is hashed for the
 * diff_id, compressed, hashed again for the blob digest and written to a new file in `dir`, so memory
 * stays flat whatever the layer's size. The file is fsynced; the layer's blob is over it (a layout
 * moves it in by rename). On failure nothing is left in `dir`.
 */
export async function packLayer(
  entries: readonly TarEntry[],
  options: LayerOptions,
  dir: string,
): Promise<Layer> {
  const tar = tarStream(entries, options);
  const tarHash = createHash("sha256");
  let tarSize = 0;
  const gzHash = createHash("sha256");
  let gzSize = 0;
  const { deflate, header } = createGzipDeterministic(options.level ?? DEFAULT_GZIP_LEVEL);
  const file = path.join(dir, `layer-${randomBytes(8).toString("hex")}.tar.gz`);
  const handle = await open(file, "wx");
  try {
    try {
      await pipeline(
        async function* hashTar() {
          for await (const chunk of tar) {
            tarHash.update(chunk);
            tarSize += chunk.length;
            yield chunk;
          }
        },
        deflate,
        header,
        async (chunks: AsyncIterable<Buffer>) => {
          gzSize = await writeChunks(handle, chunks, gzHash);
        },
      );
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
  const digest: Digest = `sha256:${gzHash.digest("hex")}`;
  return {
    blob: blobFromPackedFile({ mediaType: MediaType.layerGzip, digest, size: gzSize }, file),
    diffId: `sha256:${tarHash.digest("hex")}`,
    uncompressedSize: tarSize,
    comment: options.comment,
  };
}

/** Writes every chunk at the end of the file so far, hashing it; returns the bytes written. */
async function writeChunks(handle: FileHandle, chunks: AsyncIterable<Buffer>, hash: Hash): Promise<number> {
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
