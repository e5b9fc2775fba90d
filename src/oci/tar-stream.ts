/**
 * The layer tar as a stream: the same bytes as writeTar, with file contents read from disk while they
 * are written, so a layer of any size (a 2 GiB file included) passes through in chunks of a fixed size.
 */
import { type FileHandle, open } from "node:fs/promises";
import { ExitCode, UserError } from "../errors/index.js";
import { type FileSource, planTar, TAR_END_LENGTH, type TarEntry, type TarOptions } from "./tar.js";
import { padding } from "./tar-header.js";

/** How much of a file is read at once: large enough for few calls, small enough to keep memory flat. */
const CHUNK_SIZE = 256 * 1024;

/**
 * The archive of `entries`, chunk by chunk. Entries are checked (as writeTar checks them) when this is
 * called, before any content is read; a source file that is missing, unreadable, or no longer the
 * size it had when it was listed fails the stream with a UserError naming it.
 */
export function tarStream(entries: readonly TarEntry[], options: TarOptions): AsyncIterable<Buffer> {
  const members = planTar(entries, options);
  return (async function* () {
    for (const { header, entry, size } of members) {
      yield header;
      if (size === 0) continue;
      if (entry.source) yield* readSource(entry.source);
      else yield entry.data!;
      const pad = padding(size);
      if (pad.length > 0) yield pad;
    }
    yield Buffer.alloc(TAR_END_LENGTH);
  })();
}

/** Exactly `source.size` bytes of the file, in fresh buffers (a consumer may still hold earlier ones). */
async function* readSource(source: FileSource): AsyncGenerator<Buffer> {
  const handle = await open(source.path, "r").catch((error: unknown) => {
    throw unreadable(source.shown ?? source.path, error);
  });
  try {
    await checkUnchanged(handle, source);
    let offset = 0;
    while (offset < source.size) {
      const length = Math.min(CHUNK_SIZE, source.size - offset);
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset).catch((error: unknown) => {
        throw unreadable(source.shown ?? source.path, error);
      });
      if (bytesRead === 0) throw changedWhilePacking(source, offset);
      offset += bytesRead;
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    }
    // A file that grew while it was read would otherwise be cut silently at the size in its header.
    await checkUnchanged(handle, source);
  } finally {
    await handle.close();
  }
}

async function checkUnchanged(handle: FileHandle, source: FileSource): Promise<void> {
  const info = await handle.stat();
  if (!info.isFile() || info.size !== source.size) throw changedWhilePacking(source, info.size);
}

function changedWhilePacking(source: FileSource, size: number): UserError {
  return new UserError(
    `${source.shown ?? source.path} changed while it was being packed (${source.size} bytes when listed, now ${size})`,
    { exitCode: ExitCode.failed, hint: "build again once nothing is writing to it" },
  );
}

/** A file that vanished or cannot be read is the user's to fix; anything else stays an internal error. */
function unreadable(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") {
    return new UserError(`${file} disappeared while the image was being packed`, {
      exitCode: ExitCode.failed,
      cause: error,
      hint: "build again once nothing is deleting files in it",
    });
  }
  if (code === "EACCES" || code === "EPERM") {
    return new UserError(`cannot read ${file}: permission denied`, {
      exitCode: ExitCode.usage,
      cause: error,
      hint: `make it readable (chmod u+r ${file}) or leave it out of the image`,
    });
  }
  if (code === "EISDIR") {
    return new UserError(`${file} became a directory while the image was being packed`, {
      exitCode: ExitCode.failed,
      cause: error,
    });
  }
  return error;
}
