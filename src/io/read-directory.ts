/**
 * Listing a directory whose names become text: image paths, input keys. A name that is not valid
 * UTF-8 cannot be decoded without changing it (and two such names could decode to the same string),
 * so each entry says whether its name is exact, and a caller that uses the name refuses one that is not.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";

/** One entry of a directory, with its name decoded from the bytes the file system holds. */
export interface DirectoryEntry {
  /** The name as UTF-8 text; when `exact` is false it differs from the bytes on disk. */
  readonly name: string;
  /** The name's bytes on disk. */
  readonly bytes: Buffer;
  /** False when the bytes are not valid UTF-8, so `name` is not the file's name. */
  readonly exact: boolean;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/** Every entry of `dir`, in the order the file system gives them, names read as bytes and decoded. */
export async function readDirectory(dir: string): Promise<DirectoryEntry[]> {
  const dirents = await readdir(dir, { withFileTypes: true, encoding: "buffer" });
  return dirents.map((dirent) => {
    const bytes = dirent.name;
    const name = bytes.toString("utf8");
    // Decoding replaces every invalid sequence with U+FFFD, so a name without one is exact as it is.
    const exact = !name.includes("\uFFFD") || Buffer.from(name, "utf8").equals(bytes);
    return {
      name,
      bytes,
      exact,
      isDirectory: () => dirent.isDirectory(),
      isFile: () => dirent.isFile(),
      isSymbolicLink: () => dirent.isSymbolicLink(),
    };
  });
}

/** The error for a file whose name is not UTF-8, naming it with its invalid bytes escaped (\xff). */
export function nonUtf8NameError(dir: string, bytes: Buffer): UserError {
  const shown = showName(bytes);
  return new UserError(`${path.join(dir, shown)}: file name is not valid UTF-8`, {
    exitCode: ExitCode.usage,
    hint: `rename it (in bash: mv $'${path.join(dir, shown).replaceAll("'", "\\'")}' NEW-NAME); image paths and input keys are UTF-8`,
  });
}

/** The name with every byte that is not part of a valid UTF-8 sequence written as \xNN. */
export function showName(bytes: Buffer): string {
  let shown = "";
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceLength(bytes[i]!);
    const piece = bytes.subarray(i, i + length);
    const text = piece.toString("utf8");
    if (length > 0 && piece.length === length && Buffer.from(text, "utf8").equals(piece)) {
      shown += text === "\\" ? "\\\\" : text;
      i += length;
    } else {
      shown += `\\x${bytes[i]!.toString(16).padStart(2, "0")}`;
      i += 1;
    }
  }
  return shown;
}

/** The length of the UTF-8 sequence a lead byte starts; 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}
