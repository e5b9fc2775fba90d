/**
 * Blobs whose bytes are a file on disk: a freshly packed layer, written to the build's scratch
 * directory with its digest computed on the way. Nothing holds the bytes in memory; a layout takes
 * the file over by renaming it.
 */
import { readFile } from "node:fs/promises";
import { copyFileAtomic, moveFileAtomic } from "../io/index.js";
import type { Blob, Descriptor } from "./types.js";

/** A blob read from a file; a sink that can take the file over calls `moveTo` instead of `bytes`. */
export interface PackedBlob extends Blob {
  /** Where the bytes are now: the packer's temp file, then wherever `moveTo` put them. */
  readonly path: string;
  /**
   * Puts the bytes at `target`, replacing what is there: the temp file is renamed the first time
   * (no copy), a blob already moved is copied. Afterwards `path` is `target`.
   */
  moveTo(target: string): Promise<void>;
}

/** A blob over the complete file at `file`, which `descriptor` describes (the caller hashed it while writing it). */
export function blobFromPackedFile(descriptor: Descriptor, file: string): PackedBlob {
  let current = file;
  let temporary = true;
  // One move at a time: a second caller must not rename a file the first is moving.
  let moving: Promise<void> = Promise.resolve();
  const move = async (target: string) => {
    if (target === current) return;
    if (temporary) await moveFileAtomic(current, target);
    else await copyFileAtomic(current, target);
    current = target;
    temporary = false;
  };
  return {
    descriptor,
    get path() {
      return current;
    },
    // For small consumers only: a layer can be larger than a Buffer may be.
    bytes: () => readFile(current),
    moveTo(target) {
      const done = moving.then(() => move(target));
      moving = done.catch(() => undefined);
      return done;
    },
  };
}

/** True for a blob whose bytes are in a file it can hand over. */
export function isPackedBlob(blob: Blob): blob is PackedBlob {
  return typeof (blob as Partial<PackedBlob>).moveTo === "function";
}
