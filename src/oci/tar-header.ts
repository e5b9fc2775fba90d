/**
 * USTAR header encoding, byte by byte (POSIX.1-2001 "pax" interchange format, ustar header block):
 * https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 * Every field dray does not need (uname, gname, devmajor, devminor) stays all NUL, so nothing about the
 * building machine can leak into a layer.
 */

/** Size of a tar block; headers and data are padded to it. */
export const BLOCK_SIZE = 512;

/** The metadata of one header block, already normalized by the caller. */
export interface HeaderFields {
  /** The stored name: no leading "/", directories end in "/". */
  name: string;
  /** "0" regular file, "2" symlink, "5" directory, "x" PAX extended header for the next entry. */
  typeflag: "0" | "2" | "5" | "x";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
}

const NAME_SIZE = 100;
/** The largest size ustar's 12-byte octal field holds (11 digits): 8 GiB - 1. */
const MAX_USTAR_SIZE = 0o77777777777;
const PREFIX_SIZE = 155;
const LINKNAME_SIZE = 100;

/**
 * The header block(s) for one entry: a lone ustar header, or, when the name, link target or size cannot
 * be stored in ustar fields, a PAX extended header ("x") with its records followed by the ustar header.
 * The entry's data (for files) follows the returned bytes.
 */
export function encodeHeaders(fields: HeaderFields): Buffer {
  const nameBytes = Buffer.from(fields.name, "utf8");
  const linkBytes = Buffer.from(fields.linkname, "utf8");
  const split = isAscii(fields.name) ? splitUstarName(nameBytes) : undefined;
  const linkFits = isAscii(fields.linkname) && linkBytes.length <= LINKNAME_SIZE;
  const sizeFits = fields.size <= MAX_USTAR_SIZE;
  if (split && linkFits && sizeFits) return ustarHeader(fields, split, linkBytes);

  // Keys in a fixed (sorted) order and only the three dray needs; never atime/ctime/mtime records.
  const records: Buffer[] = [];
  if (!linkFits) records.push(paxRecord("linkpath", linkBytes));
  if (!split) records.push(paxRecord("path", nameBytes));
  // A file of 8 GiB or more: the size in a record, and 0 in the ustar field (as Go's archive/tar writes it).
  if (!sizeFits) records.push(paxRecord("size", Buffer.from(String(fields.size))));
  const data = Buffer.concat(records);
  const paxFields: HeaderFields = {
    name: paxHeaderName(fields.name),
    typeflag: "x",
    mode: 0o644,
    uid: fields.uid,
    gid: fields.gid,
    size: data.length,
    mtime: fields.mtime,
    linkname: "",
  };
  const paxHeader = ustarHeader(paxFields, splitUstarName(Buffer.from(paxFields.name))!, Buffer.alloc(0));
  // Readers that ignore PAX still get a deterministic, ASCII-only approximation of the name and target.
  const fallbackName = Buffer.from(asciiFallback(fields.name));
  const fallbackSplit = split ??
    splitUstarName(fallbackName) ?? { prefix: EMPTY, name: fallbackName.subarray(0, NAME_SIZE) };
  const fallbackLink = linkFits
    ? linkBytes
    : Buffer.from(asciiFallback(fields.linkname)).subarray(0, LINKNAME_SIZE);
  return Buffer.concat([
    paxHeader,
    data,
    padding(data.length),
    ustarHeader(sizeFits ? fields : { ...fields, size: 0 }, fallbackSplit, fallbackLink),
  ]);
}

/** Zero bytes that pad `length` up to the next block boundary. */
export function padding(length: number): Buffer {
  const rest = length % BLOCK_SIZE;
  return rest === 0 ? EMPTY : Buffer.alloc(BLOCK_SIZE - rest);
}

const EMPTY = Buffer.alloc(0);

interface SplitName {
  prefix: Buffer;
  name: Buffer;
}

/**
 * Fits a name into ustar's name (100 bytes) and prefix (155 bytes) fields, which readers join with "/".
 * The split point is the last "/" that leaves a prefix of at most 155 bytes and a non-empty name of at
 * most 100 bytes; a directory's trailing "/" is never a split point (the name part would be empty).
 */
export function splitUstarName(bytes: Buffer): SplitName | undefined {
  if (bytes.length <= NAME_SIZE) return { prefix: EMPTY, name: bytes };
  const slash = 0x2f;
  for (let i = Math.min(PREFIX_SIZE, bytes.length - 2); i > 0; i--) {
    if (bytes[i] !== slash) continue;
    const nameLength = bytes.length - i - 1;
    if (nameLength > NAME_SIZE) return undefined;
    return { prefix: bytes.subarray(0, i), name: bytes.subarray(i + 1) };
  }
  return undefined;
}

function ustarHeader(fields: HeaderFields, split: SplitName, linkname: Buffer): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  split.name.copy(block, 0);
  writeOctal(block, 100, 8, fields.mode, "mode");
  writeOctal(block, 108, 8, fields.uid, "uid");
  writeOctal(block, 116, 8, fields.gid, "gid");
  writeOctal(block, 124, 12, fields.size, "size");
  writeOctal(block, 136, 12, fields.mtime, "mtime");
  block.write(fields.typeflag, 156, "ascii");
  linkname.copy(block, 157);
  // "ustar\0" then version "00": the POSIX magic (GNU tar's own format writes "ustar  \0" instead).
  block.write("ustar\u000000", 257, "latin1");
  split.prefix.copy(block, 345);
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, "latin1");
  return block;
}

/** Octal digits zero-padded to fill the field but its last byte, which is NUL (as GNU and BSD tar write them). */
function writeOctal(block: Buffer, offset: number, width: number, value: number, field: string): void {
  const digits = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || digits.length > width - 1) {
    throw new RangeError(`tar: ${field} ${value} does not fit a ${width}-byte ustar field`);
  }
  block.write(`${digits.padStart(width - 1, "0")}\u0000`, offset, "latin1");
}

/** A PAX record: "<length> <key>=<value>\n", where length counts the whole record including its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(` ${key}=\n`) + value.length;
  let length = rest + 1;
  while (String(length).length + rest !== length) length = String(length).length + rest;
  return Buffer.concat([Buffer.from(`${length} ${key}=`), value, Buffer.from("\n")]);
}

/** "PaxHeaders/<basename>", ASCII only and at most 100 bytes, so the extended header itself never needs PAX. */
function paxHeaderName(name: string): string {
  const base = name.replace(/\/$/, "").split("/").pop() ?? "";
  return `PaxHeaders/${asciiFallback(base)}`.slice(0, NAME_SIZE);
}

function isAscii(s: string): boolean {
  return /^[\x00-\x7f]*$/.test(s);
}

/** Printable ASCII stays, every other character (not byte) becomes "_". */
function asciiFallback(s: string): string {
  return s.replace(/[^\x20-\x7e]/gu, "_");
}
