/**
 * Just enough of ELF to know whether a program is dynamically linked: the program headers, and the
 * path a PT_INTERP header names — the loader the kernel starts first, which must exist in the image.
 * https://refspecs.linuxfoundation.org/elf/gabi4+/ch5.pheader.html
 */

const PT_INTERP = 3;
/** An e_phnum of 0xffff means the count is elsewhere (in section header 0); such files are not programs dray packs. */
const PN_XNUM = 0xffff;

/** What the start of a file says about how it is linked. */
export type ElfLink =
  /** Not ELF, or ELF too malformed to be a program. */
  | { kind: "other" }
  | { kind: "static" }
  | { kind: "dynamic"; interpreter: string }
  /** ELF whose headers point past the bytes given: read `need` bytes from the start and ask again. */
  | { kind: "short"; need: number };

/** True when `data` starts with the ELF magic number. */
export function isElf(data: Buffer | undefined): data is Buffer {
  return data !== undefined && data.length >= 4 && data.readUInt32BE(0) === 0x7f454c46;
}

/** How the ELF program whose first bytes are `data` is linked. */
export function elfLink(data: Buffer): ElfLink {
  if (!isElf(data)) return { kind: "other" };
  if (data.length < 64) return { kind: "short", need: 64 };
  const is64 = data[4] === 2;
  const littleEndian = data[5] === 1;
  if ((data[4] !== 1 && !is64) || (data[5] !== 1 && data[5] !== 2)) return { kind: "other" };
  const u16 = (at: number) => (littleEndian ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const word = (at: number) =>
    is64 ? Number(littleEndian ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at)) : u32(at);
  const phoff = word(is64 ? 32 : 28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  if (phnum === PN_XNUM || phentsize < (is64 ? 56 : 32)) return { kind: "other" };
  const tableEnd = phoff + phnum * phentsize;
  if (tableEnd > data.length) return { kind: "short", need: tableEnd };
  for (let i = 0; i < phnum; i++) {
    const header = phoff + i * phentsize;
    if (u32(header) !== PT_INTERP) continue;
    const offset = word(header + (is64 ? 8 : 4));
    const size = word(header + (is64 ? 32 : 16));
    if (size === 0) return { kind: "other" };
    if (offset + size > data.length) return { kind: "short", need: offset + size };
    const text = data.subarray(offset, offset + size).toString("latin1");
    const nul = text.indexOf("\0");
    return { kind: "dynamic", interpreter: nul === -1 ? text : text.slice(0, nul) };
  }
  return { kind: "static" };
}

/**
 * The program interpreter an ELF file asks for ("/lib64/ld-linux-x86-64.so.2"); undefined for a
 * statically linked program, a file that is not ELF, or one too short or malformed to say.
 */
export function elfInterpreter(data: Buffer | undefined): string | undefined {
  if (data === undefined) return undefined;
  const link = elfLink(data);
  return link.kind === "dynamic" ? link.interpreter : undefined;
}
