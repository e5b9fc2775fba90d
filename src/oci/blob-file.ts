/**
 * A blob file is trusted by its content, never by its name: hashing one (streamed, never read whole),
 * streaming one so that a reader never receives all of a blob that does not match its digest, and the
 * errors that name a broken blob and say how to repair it.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { UserError } from "../errors/index.js";
import { sha256Digest } from "./digest.js";
import type { Descriptor, Digest } from "./types.js";

/** What a blob file holds, compared with its name. */
export type BlobState =
  | { state: "ok"; size: number }
  | { state: "missing" }
  | { state: "corrupt"; actual: Digest; size: number };

// Large reads: hashing is the cost, and fewer, larger chunks keep the per-chunk overhead small.
const CHUNK_BYTES = 1024 * 1024;

/** The sha256 digest and size of a file's content, streamed; undefined when there is no such file. */
export async function hashFile(file: string): Promise<{ digest: Digest; size: number } | undefined> {
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (error) {
    if (isAbsent(error)) return undefined;
    throw error;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** Whether the file of `digest` holds exactly the content that hashes to it. */
export async function blobFileState(file: string, digest: Digest): Promise<BlobState> {
  const content = await hashFile(file);
  if (!content) return { state: "missing" };
  return content.digest === digest
    ? { state: "ok", size: content.size }
    : { state: "corrupt", actual: content.digest, size: content.size };
}

/** The content of the blob file of `digest`, read whole: a missing or corrupted blob is a UserError naming it. */
export async function readBlobFile(root: string, file: string, digest: Digest): Promise<Buffer> {
  const data = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    throw missingBlobError(root, file, digest);
  });
  const actual = sha256Digest(data);
  if (actual !== digest) throw corruptBlobError(root, file, digest, actual);
  return data;
}

/**
 * Bytes [start, end) of the blob file of `digest`, as stored and not verified: a reader of a blob too
 * large to hold whole (a layer pushed in chunks) hashes what it reads. A missing blob, or one that ends
 * before `end`, is a UserError naming it.
 */
export async function readBlobFileSlice(
  root: string,
  file: string,
  digest: Digest,
  start: number,
  end: number,
): Promise<Buffer> {
  const handle = await open(file, "r").catch((error: unknown) => {
    throw isAbsent(error) ? missingBlobError(root, file, digest) : error;
  });
  try {
    const buffer = Buffer.allocUnsafe(end - start);
    for (let done = 0; done < buffer.length; ) {
      const { bytesRead } = await handle.read(buffer, done, buffer.length - done, start + done);
      if (bytesRead === 0) {
        throw new UserError(`blob ${digest} in ${root} ends after ${start + done} bytes, before ${end}`, {
          hint: repairHint(root, file),
        });
      }
      done += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Deletes the file of `digest` if (hashed now) its content is another digest's; true when it did. */
export async function removeIfCorrupt(file: string, digest: Digest): Promise<boolean> {
  if ((await blobFileState(file, digest)).state !== "corrupt") return false;
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
  return true;
}

/**
 * The bytes of the blob file of `descriptor` in the layout at `root`, hashed as they stream. The last
 * chunk is held back until the digest and size are known to match, so a consumer (a tar entry of the
 * declared size, an upload) never receives a whole blob that is not the one named: the stream fails
 * instead, with an error naming the blob.
 */
export function openBlobFile(root: string, file: string, descriptor: Descriptor): Readable {
  const { digest, size } = descriptor;
  async function* chunks(): AsyncGenerator<Buffer> {
    const hash = createHash("sha256");
    let seen = 0;
    let held: Buffer | undefined;
    try {
      for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        seen += bytes.length;
        if (seen > size) throw wrongSizeError(root, file, descriptor, `more than ${size} bytes`);
        if (held) yield held;
        held = bytes;
      }
    } catch (error) {
      if (isAbsent(error)) throw missingBlobError(root, file, digest);
      throw error;
    }
    const actual: Digest = `sha256:${hash.digest("hex")}`;
    if (actual !== digest) throw corruptBlobError(root, file, digest, actual);
    if (seen !== size) throw wrongSizeError(root, file, descriptor, `${seen} bytes`);
    if (held) yield held;
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A blob whose content hashes to another digest than its name. */
export function corruptBlobError(root: string, file: string, digest: Digest, actual: Digest): UserError {
  return new UserError(`blob ${digest} in ${root} is corrupted: its content hashes to ${actual}`, {
    hint: repairHint(root, file),
  });
}

/** A blob that is not in the layout. */
export function missingBlobError(root: string, file: string, digest: Digest): UserError {
  return new UserError(`blob ${digest} is missing from the image layout ${root}`, {
    hint: repairHint(root, file),
  });
}

function wrongSizeError(root: string, file: string, descriptor: Descriptor, found: string): UserError {
  return new UserError(
    `blob ${descriptor.digest} in ${root} has ${found}, its descriptor says ${descriptor.size}`,
    { hint: repairHint(root, file) },
  );
}

/**
 * What to do about a broken blob. dray's own layouts (`.dray/oci`, `.dray/bases`) are repaired by
 * `dray cache check --repair`, after which a build writes or pulls what was removed; a layout the user
 * made (a base image copied with skopeo) is theirs to restore.
 */
function repairHint(root: string, file: string): string {
  return isDrayState(root)
    ? "run `dray cache check --repair`: it removes the broken blob and what needs it, and the next build writes it again"
    : `delete ${file} and copy the image into ${root} again`;
}

/** True for a layout inside a project's `.dray` directory: dray made it, and may repair it. */
export function isDrayState(root: string): boolean {
  return path.basename(path.dirname(root)) === ".dray";
}

function isAbsent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "EISDIR";
}
