import { describe, expect, it } from "vitest";
import { elf } from "../../test/support/elf.js";
import { elfInterpreter, isElf } from "./elf.js";

describe("ELF program headers", () => {
  const cases: { description: string; data: Buffer | undefined; expected: string | undefined }[] = [
    {
      description: "a dynamically linked amd64 program (64-bit, little-endian)",
      data: elf({ bits: 64, littleEndian: true, interpreter: "/lib64/ld-linux-x86-64.so.2" }),
      expected: "/lib64/ld-linux-x86-64.so.2",
    },
    {
      description: "a 32-bit big-endian one (s390, mips)",
      data: elf({ bits: 32, littleEndian: false, interpreter: "/lib/ld.so.1" }),
      expected: "/lib/ld.so.1",
    },
    {
      description: "a statically linked program has no interpreter",
      data: elf({ bits: 64, littleEndian: true }),
      expected: undefined,
    },
    {
      description: "a shell script is not ELF",
      data: Buffer.from("#!/bin/sh\necho hi\n"),
      expected: undefined,
    },
    { description: "no data", data: undefined, expected: undefined },
    {
      description: "a truncated file says nothing rather than throwing",
      data: elf({ bits: 64, littleEndian: true, interpreter: "/lib64/ld-linux-x86-64.so.2" }).subarray(
        0,
        130,
      ),
      expected: undefined,
    },
  ];
  for (const c of cases) {
    it(c.description, () => {
      expect(elfInterpreter(c.data)).toBe(c.expected);
    });
  }

  it("isElf looks at the magic number only", () => {
    expect(isElf(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))).toBe(true);
    expect(isElf(Buffer.from("ELF!"))).toBe(false);
  });
});
