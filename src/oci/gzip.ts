/**
 * gzip with a header that does not depend on the machine or the clock (RFC 1952 section 2.3).
 *
 * Caveat: the deflate stream itself is only stable for one zlib build. Node changed its bundled zlib's
 * output in 12.17 and again in 18.18.1, so the compressed digest of a layer can change when Node does.
 * That is why an image's identity is the diff_id (sha256 of the uncompressed tar) and the config digest,
 * never the compressed blob's digest.
 */
import { Transform } from "node:stream";
import { promisify } from "node:util";
import { constants, createGzip, type Gzip, gzip, gzipSync, type ZlibOptions } from "node:zlib";

const gzipAsync = promisify(gzip);

/**
 * The default compression level; XFL in the header follows the level, so it is part of the output's identity.
 * Level 1, as go-containerregistry uses: on a 5.4 MB Go binary it compresses in 70 ms to 46.6 % against
 * 148 ms to 43.4 % at level 6 — compression was most of dray's packing time, and 7 % more bytes on the
 * wire cost less than twice the CPU on every build.
 */
export const DEFAULT_GZIP_LEVEL = 1;

/** Byte 9 of a gzip member: "unknown" OS. Node writes 0x03 on Linux and 0x13 on macOS; Go writes 0xff. */
const OS_UNKNOWN = 0xff;

/** Compresses `data` synchronously with a fixed level and a normalized header; for small blobs and tests. */
export function gzipDeterministic(data: Buffer, level = DEFAULT_GZIP_LEVEL): Buffer {
  return normalizeHeader(gzipSync(data, zlibOptions(level)));
}

/** Same bytes as {@link gzipDeterministic}, compressed on libuv's thread pool so several layers compress in parallel. */
export async function gzipDeterministicAsync(data: Buffer, level = DEFAULT_GZIP_LEVEL): Promise<Buffer> {
  return normalizeHeader(await gzipAsync(data, zlibOptions(level)));
}

/**
 * The streaming form: pipe a tar through `deflate`, then `header`, and the output is byte for byte
 * what {@link gzipDeterministic} returns for the whole tar. zlib's deflate does not depend on how its
 * input is split into writes (it only emits a block once its buffers are full or the input ends),
 * and `gzip.test.ts` checks that for uneven chunkings.
 */
export function createGzipDeterministic(level = DEFAULT_GZIP_LEVEL): { deflate: Gzip; header: Transform } {
  return { deflate: createGzip(zlibOptions(level)), header: gzipHeaderNormalizer() };
}

/** Every parameter that shapes the deflate stream is pinned, so a change of Node's defaults cannot move it. */
function zlibOptions(level: number): ZlibOptions {
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RangeError(`gzip level must be a whole number from 0 to 9, got ${level}`);
  }
  return { level, windowBits: 15, memLevel: 8, strategy: constants.Z_DEFAULT_STRATEGY };
}

// zlib writes ID1 ID2 CM=8, FLG=0 (no name, comment or extra) and MTIME=0 when given no gz_header;
// check rather than assume, since a different header would silently change the bytes.
const EXPECTED_START = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00];
/** Header (10 bytes) and trailer (8 bytes): the shortest gzip member. */
const MIN_GZIP_LENGTH = 18;
const OS_BYTE = 9;

function normalizeHeader(gz: Buffer): Buffer {
  if (gz.length < MIN_GZIP_LENGTH || EXPECTED_START.some((byte, i) => gz[i] !== byte)) {
    throw unexpectedHeader(gz.subarray(0, 10));
  }
  // The OS byte is outside the CRC-32 (which covers the uncompressed data only), so it can be set afterwards.
  gz[OS_BYTE] = OS_UNKNOWN;
  return gz;
}

/** normalizeHeader for a stream of zlib's output, however it is split into chunks. */
function gzipHeaderNormalizer(): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      for (let i = 0; offset + i <= OS_BYTE && i < chunk.length; i++) {
        const at = offset + i;
        if (at === OS_BYTE) chunk[i] = OS_UNKNOWN;
        else if (at < EXPECTED_START.length && chunk[i] !== EXPECTED_START[at]) {
          callback(unexpectedHeader(chunk.subarray(0, 10)));
          return;
        }
      }
      offset += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      callback(offset < MIN_GZIP_LENGTH ? new Error(`zlib wrote only ${offset} bytes of gzip`) : null);
    },
  });
}

function unexpectedHeader(start: Buffer): Error {
  return new Error(`unexpected gzip header from zlib: ${start.toString("hex")}`);
}
