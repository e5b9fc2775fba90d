/** Tiny ELF files built byte by byte, for the tests of the loader check. */

/** A minimal ELF program: a PT_LOAD header, and a PT_INTERP naming `interpreter` when given. */
export function elf(options: {
  bits: 32 | 64;
  littleEndian: boolean;
  interpreter?: string;
  /** Zero bytes between the program headers and the interpreter's name. */
  padding?: number;
}): Buffer {
  const is64 = options.bits === 64;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const headers = options.interpreter === undefined ? [1] : [1, 3];
  const text = Buffer.from(`${options.interpreter ?? ""}\0`, "latin1");
  const textOffset = ehsize + headers.length * phentsize + (options.padding ?? 0);
  const data = Buffer.alloc(textOffset + text.length);
  const le = options.littleEndian;
  const u16 = (v: number, at: number) => (le ? data.writeUInt16LE(v, at) : data.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (le ? data.writeUInt32LE(v, at) : data.writeUInt32BE(v, at));
  const word = (v: number, at: number) =>
    is64 ? (le ? data.writeBigUInt64LE(BigInt(v), at) : data.writeBigUInt64BE(BigInt(v), at)) : u32(v, at);
  data.writeUInt32BE(0x7f454c46, 0);
  data[4] = is64 ? 2 : 1;
  data[5] = le ? 1 : 2;
  data[6] = 1;
  u16(2, 16); // ET_EXEC
  word(ehsize, is64 ? 32 : 28);
  u16(phentsize, is64 ? 54 : 42);
  u16(headers.length, is64 ? 56 : 44);
  headers.forEach((type, i) => {
    const at = ehsize + i * phentsize;
    u32(type, at);
    if (type === 3) {
      word(textOffset, at + (is64 ? 8 : 4));
      word(text.length, at + (is64 ? 32 : 16));
    }
  });
  text.copy(data, textOffset);
  return data;
}
