/** Listing what a `files:` mapping copies into the image, so that its content can be part of the key. */
import type { Dirent } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { UserError } from "../errors/index.js";

/**
 * Paths relative to `absPath` ("/"-separated) of every regular file and symlink beneath it, sorted
 * bytewise. A single file or symlink gives ["."]. Symlinks are listed, never followed, because the
 * image keeps them as links; other entry types (sockets, FIFOs, devices) never enter an image.
 * Empty directories are not listed. A missing path is a UserError naming it.
 */
export async function listTree(absPath: string): Promise<string[]> {
  let top: Awaited<ReturnType<typeof lstat>>;
  try {
    top = await lstat(absPath);
  } catch (error) {
    throw new UserError(`files: ${absPath} does not exist`, { cause: error });
  }
  if (top.isFile() || top.isSymbolicLink()) return ["."];
  if (!top.isDirectory()) return [];
  const found: string[] = [];
  await walk(absPath, "", found);
  return found.sort(compareUtf8);
}

async function walk(absDir: string, relDir: string, found: string[]): Promise<void> {
  let children: Dirent[];
  try {
    children = await readdir(absDir, { withFileTypes: true });
  } catch (error) {
    throw new UserError(`cannot list ${absDir}: ${(error as Error).message}`, { cause: error });
  }
  const subdirs: Promise<void>[] = [];
  for (const child of children) {
    const rel = relDir === "" ? child.name : `${relDir}/${child.name}`;
    if (child.isDirectory()) subdirs.push(walk(`${absDir}/${child.name}`, rel, found));
    else if (child.isFile() || child.isSymbolicLink()) found.push(rel);
  }
  await Promise.all(subdirs);
}

/**
 * Orders strings as their UTF-8 bytes compare (the order of tar entries and of keys). JS `<` compares
 * UTF-16 units, which puts astral characters (surrogates, U+D800–DFFF) before U+E000–FFFF; UTF-8 and
 * code points put them after. Comparing units with that one range moved gives the byte order without
 * encoding every string.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitWeight(x) - unitWeight(y);
  }
  return a.length - b.length;
}

function unitWeight(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
