/**
 * dray's layer tar writer, hand-written so every byte is decided here (see docs/determinism.md, "Layer tar").
 * Given the same entries in any order and the same options, it returns the same bytes on every machine.
 * `planTar` decides every header; `writeTar` joins them with in-memory data, `tarStream` (tar-stream.ts)
 * reads file contents from disk as it goes.
 */
import { BLOCK_SIZE, encodeHeaders, type HeaderFields, padding } from "./tar-header.js";

/** One file system object in a layer. Paths are in-image paths, with or without a leading "/". */
export interface TarEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  /** Files only; see {@link normalizeMode}. Ignored for directories (0755) and symlinks (0777). */
  mode?: number;
  /** Files only; absent (and no `source`) means empty. */
  data?: Buffer;
  /** Files only, instead of `data`: a host file read while the tar is streamed (see tarStream). */
  source?: FileSource;
  /** Symlinks only: the target, stored verbatim. */
  linkTarget?: string;
}

/** A host file whose bytes become an entry's content; `size` is what the header promises (from lstat). */
export interface FileSource {
  path: string;
  size: number;
  /** What the file is called in messages, when `path` is dray's scratch copy of it. */
  shown?: string;
}

/** The metadata every entry of a layer shares. */
export interface TarOptions {
  /** Whole seconds since the epoch (SOURCE_DATE_EPOCH, else 0). */
  mtime: number;
  uid: number;
  gid: number;
}

/** File modes kept as given; they are deliberate choices (0555 for a read-only program, 0444 for read-only data). */
const HONOURED_FILE_MODES = new Set([0o555, 0o755, 0o644, 0o444]);

/**
 * The mode stored for a regular file: 0555, 0755, 0644 and 0444 are kept; anything else becomes 0755
 * when any execute bit is set and 0644 otherwise, so umask, checkout and setuid bits never leak in.
 * File-type bits (as in `stat.mode`) are ignored.
 */
export function normalizeMode(mode: number | undefined): number {
  if (mode === undefined) return 0o644;
  const permissions = mode & 0o7777;
  if (HONOURED_FILE_MODES.has(permissions)) return permissions;
  return permissions & 0o111 ? 0o755 : 0o644;
}

interface Normalized {
  /** Components joined by "/", no trailing slash: the key that detects duplicates. */
  key: string;
  /** What goes into the header: directories end in "/". */
  name: string;
  entry: TarEntry;
}

/** One entry of a planned archive: its header block(s), then `size` bytes of content and padding. */
export interface TarMember {
  header: Buffer;
  entry: TarEntry;
  size: number;
}

/** The two zero blocks that end an archive. */
export const TAR_END_LENGTH = 2 * BLOCK_SIZE;

/**
 * Serializes entries into an uncompressed layer tar: every missing parent directory added, entries
 * sorted by the bytes of their stored names, ustar headers (PAX only for long or non-ASCII names),
 * fixed metadata, then two zero blocks. Throws on "..", ".", empty components, NUL, a path given twice
 * (except a directory, whose entries are identical anyway) and entries nested under a non-directory.
 * Entries read from a host file (`source`) cannot be written into memory: stream them with tarStream.
 */
export function writeTar(entries: readonly TarEntry[], options: TarOptions): Buffer {
  const parts: Buffer[] = [];
  for (const { header, entry, size } of planTar(entries, options)) {
    if (entry.source) {
      throw new Error(`tar: ${entry.path} is read from ${entry.source.path}; stream it with tarStream`);
    }
    parts.push(header);
    if (size > 0) parts.push(entry.data!, padding(size));
  }
  // End of archive: two zero blocks. No padding to a 10240-byte record (tar's default blocking
  // factor): readers do not need it and it would add up to 9 KiB of zeros to every layer.
  parts.push(Buffer.alloc(TAR_END_LENGTH));
  return Buffer.concat(parts);
}

/**
 * Every member of the archive `entries` make, in order, with its headers encoded: everything
 * writeTar checks is checked here, before a single byte of content is read.
 */
export function planTar(entries: readonly TarEntry[], options: TarOptions): TarMember[] {
  checkOptions(options);
  const byKey = new Map<string, Normalized>();
  for (const entry of entries) {
    const normalized = normalizeEntry(entry);
    const existing = byKey.get(normalized.key);
    // Two directory entries for one path are the same entry once normalized (several copies into
    // /app each name it); anything else twice is ambiguous, so it is an error.
    if (existing && !(existing.entry.type === "dir" && entry.type === "dir")) {
      throw new Error(`tar: duplicate path ${JSON.stringify(normalized.key)}`);
    }
    byKey.set(normalized.key, normalized);
  }
  addParents(byKey);

  return [...byKey.values()]
    .map((n) => ({ ...n, nameBytes: Buffer.from(n.name, "utf8") }))
    .sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes))
    .map(({ name, entry }) => {
      const size = contentSize(entry);
      return { header: encodeHeaders(headerFields(name, entry, size, options)), entry, size };
    });
}

function contentSize(entry: TarEntry): number {
  if (entry.type !== "file") return 0;
  return entry.source?.size ?? entry.data?.length ?? 0;
}

function checkOptions(options: TarOptions): void {
  for (const key of ["mtime", "uid", "gid"] as const) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`tar: ${key} must be a non-negative whole number, got ${value}`);
    }
  }
}

function normalizeEntry(entry: TarEntry): Normalized {
  if (!["file", "dir", "symlink"].includes(entry.type)) {
    throw new Error(
      `tar: unsupported entry type ${JSON.stringify(entry.type)} for ${JSON.stringify(entry.path)}`,
    );
  }
  const components = splitPath(entry.path, entry.type === "dir");
  const key = components.join("/");
  if (entry.type !== "file" && (entry.data !== undefined || entry.source !== undefined)) {
    throw new Error(`tar: ${entry.type} ${JSON.stringify(key)} cannot have data`);
  }
  if (entry.data !== undefined && entry.source !== undefined) {
    throw new Error(`tar: file ${JSON.stringify(key)} has both data and a source`);
  }
  const size = entry.source?.size;
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
    throw new RangeError(`tar: file ${JSON.stringify(key)} has size ${size}`);
  }
  if (entry.type === "symlink" && (!entry.linkTarget || entry.linkTarget.includes("\0"))) {
    throw new Error(`tar: symlink ${JSON.stringify(key)} needs a non-empty target without NUL`);
  }
  if (entry.type !== "symlink" && entry.linkTarget !== undefined) {
    throw new Error(`tar: only symlinks have a link target (${JSON.stringify(key)})`);
  }
  return { key, name: entry.type === "dir" ? `${key}/` : key, entry };
}

/** Validates an in-image path and returns its components; one leading "/" and (for directories) one trailing "/" are accepted. */
function splitPath(path: string, isDir: boolean): string[] {
  if (path.includes("\0")) throw new Error(`tar: path contains NUL: ${JSON.stringify(path)}`);
  let rest = path.startsWith("/") ? path.slice(1) : path;
  if (rest.endsWith("/")) {
    if (!isDir) throw new Error(`tar: only directories may end in "/": ${JSON.stringify(path)}`);
    rest = rest.slice(0, -1);
  }
  const components = rest.split("/");
  for (const component of components) {
    if (component === "" || component === "." || component === "..") {
      throw new Error(`tar: invalid path ${JSON.stringify(path)} (empty, "." or ".." component)`);
    }
  }
  return components;
}

/** Adds a directory entry for every ancestor that is not listed, so extraction never invents one with its own metadata. */
function addParents(byKey: Map<string, Normalized>): void {
  for (const { key } of [...byKey.values()]) {
    const components = key.split("/");
    for (let depth = 1; depth < components.length; depth++) {
      const parent = components.slice(0, depth).join("/");
      const existing = byKey.get(parent);
      if (existing === undefined) {
        byKey.set(parent, { key: parent, name: `${parent}/`, entry: { path: parent, type: "dir" } });
      } else if (existing.entry.type !== "dir") {
        throw new Error(
          `tar: ${JSON.stringify(key)} is inside ${JSON.stringify(parent)}, which is a ${existing.entry.type}`,
        );
      }
    }
  }
}

function headerFields(name: string, entry: TarEntry, size: number, options: TarOptions): HeaderFields {
  const common = { name, uid: options.uid, gid: options.gid, mtime: options.mtime };
  switch (entry.type) {
    case "dir":
      return { ...common, typeflag: "5", mode: 0o755, size: 0, linkname: "" };
    case "symlink":
      return { ...common, typeflag: "2", mode: 0o777, size: 0, linkname: entry.linkTarget! };
    case "file":
      return { ...common, typeflag: "0", mode: normalizeMode(entry.mode), size, linkname: "" };
  }
}
