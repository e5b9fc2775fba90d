/**
 * The gzip of a layer's distribution form: the bytes a registry receives for a layer dray built. Its
 * digest goes into the pushed manifest, so it must be the same on every machine and every Node: the
 * deflate is a pure-JavaScript one pinned to an exact version (package.json has no range for it), run
 * at a fixed level on input cut into fixed-size pieces, with the header normalised (no mtime, no
 * name, OS "unknown"). A new compressor, version or level changes pushed digests, so its identity is
 * part of the packing-format version (fingerprint) and of every record of a compressed layer.
 */
import { createHash } from "node:crypto";
import { open, unlink } from "node:fs/promises";
import type { Digest } from "./types.js";

/** Who compresses, exactly: change the version only together with package.json's pin. */
export const DISTRIBUTION_COMPRESSOR = { name: "fflate", version: "0.8.3", level: 1 } as const;

/** The compressor as one string, e.g. "gzip fflate@0.8.3 level 1". */
export const COMPRESSOR_ID =
  `gzip ${DISTRIBUTION_COMPRESSOR.name}@${DISTRIBUTION_COMPRESSOR.version} level ${DISTRIBUTION_COMPRESSOR.level}` as const;

/** The deflate input is cut into pieces of exactly this size (the last one shorter), however it was read. */
const PIECE = 64 * 1024;
/** Input handed to the worker but not yet compressed, at most: memory stays flat for any layer. */
const QUEUE_LIMIT = 4 * PIECE;
/** Byte 9 of a gzip member, the OS: "unknown", as the other gzip writer (gzip.ts) sets it. */
const OS_BYTE = 9;
const OS_UNKNOWN = 0xff;
const HEADER = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00];

/** What a compression wrote. */
export interface Compressed {
  digest: Digest;
  size: number;
}

/**
 * Compresses `input` into the new file `file` (fsynced), hashing what it writes. Deflating runs on a
 * worker thread, so uploads and other work go on meanwhile. On failure the file is removed.
 */
export async function gzipToFile(input: AsyncIterable<Buffer>, file: string): Promise<Compressed> {
  const { AsyncGzip } = await import("fflate");
  const handle = await open(file, "wx");
  const hash = createHash("sha256");
  let size = 0;
  let writes: Promise<void> = Promise.resolve();
  const gzip = new AsyncGzip({ level: DISTRIBUTION_COMPRESSOR.level, mtime: 0 });
  const finished = new Promise<void>((resolve, reject) => {
    gzip.ondata = (error, chunk, final) => {
      if (error) return reject(error);
      const bytes = normaliseHeader(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), size);
      if (bytes instanceof Error) return reject(bytes);
      const at = size;
      size += bytes.length;
      hash.update(bytes);
      writes = writes.then(() => writeAll(handle, bytes, at));
      if (final) writes.then(resolve, reject);
    };
  });
  // A failure before the end must not go unhandled while input is still being read.
  finished.catch(() => undefined);
  let drained: (() => void) | undefined;
  gzip.ondrain = () => drained?.();
  try {
    try {
      for await (const piece of pieces(input)) {
        gzip.push(piece);
        while (gzip.queuedSize > QUEUE_LIMIT) {
          // Wait for the worker to catch up; a compression that failed meanwhile ends the wait too.
          const caughtUp = new Promise<void>((resolve) => {
            drained = resolve;
          });
          await Promise.race([caughtUp, finished]);
        }
      }
      gzip.push(new Uint8Array(0), true);
      await finished;
      await handle.sync();
    } finally {
      gzip.terminate();
      await handle.close();
    }
  } catch (error) {
    await unlink(file).catch(() => undefined);
    throw error;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** The input re-cut into PIECE-sized pieces, so the deflate sees the same pushes whatever the reads were. */
export async function* pieces(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    for (; pending.length - offset >= PIECE; offset += PIECE) {
      yield Buffer.from(pending.subarray(offset, offset + PIECE));
    }
    pending = pending.subarray(offset);
  }
  if (pending.length > 0) yield Buffer.from(pending);
}

/** Checks the fixed header bytes that fall in `chunk` (written at `offset`) and sets the OS byte. */
function normaliseHeader(chunk: Buffer, offset: number): Buffer | Error {
  for (let i = 0; offset + i <= OS_BYTE && i < chunk.length; i++) {
    const at = offset + i;
    if (at === OS_BYTE) chunk[i] = OS_UNKNOWN;
    else if (at < HEADER.length && chunk[i] !== HEADER[at]) {
      return new Error(
        `unexpected gzip header from ${COMPRESSOR_ID}: ${chunk.subarray(0, 10).toString("hex")}`,
      );
    }
  }
  return chunk;
}

async function writeAll(handle: Awaited<ReturnType<typeof open>>, bytes: Buffer, position: number) {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
