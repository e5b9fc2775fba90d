import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../errors/errors.js";
import { nonUtf8NameError, readDirectory, showName } from "./read-directory.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-readdir-"));
  await writeFile(path.join(dir, "plain.txt"), "");
  await writeFile(path.join(dir, "café.txt"), "");
  await writeFile(Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff]), Buffer.from(".txt")]), "");
  await mkdir(path.join(dir, "sub"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readDirectory", () => {
  it("says which names are their bytes decoded, and keeps the kinds", async () => {
    const entries = (await readDirectory(dir)).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    expect(entries.map((e) => [e.name, e.exact, e.isDirectory(), e.isFile()])).toEqual([
      ["bad\uFFFD.txt", false, false, true],
      ["café.txt", true, false, true],
      ["plain.txt", true, false, true],
      ["sub", true, true, false],
    ]);
    expect(entries[0]!.bytes.equals(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x74, 0x78, 0x74]))).toBe(
      true,
    );
  });
});

describe("showName", () => {
  it.each([
    { description: "an ASCII name", bytes: Buffer.from("a.txt"), shown: "a.txt" },
    { description: "valid UTF-8", bytes: Buffer.from("naïve-😀"), shown: "naïve-😀" },
    { description: "a lone 0xff", bytes: Buffer.from([0x61, 0xff, 0x62]), shown: "a\\xffb" },
    { description: "Latin-1 é", bytes: Buffer.from([0x63, 0x61, 0x66, 0xe9]), shown: "caf\\xe9" },
    { description: "a cut sequence", bytes: Buffer.from([0xe2, 0x82, 0x41]), shown: "\\xe2\\x82A" },
    { description: "an encoded surrogate", bytes: Buffer.from([0xed, 0xa0, 0x80]), shown: "\\xed\\xa0\\x80" },
    { description: "a backslash", bytes: Buffer.from("a\\b"), shown: "a\\\\b" },
  ])("writes $description so it can be told apart", ({ bytes, shown }) => {
    expect(showName(bytes)).toBe(shown);
  });
});

describe("nonUtf8NameError", () => {
  it("is a usage error naming the file with its bytes escaped, and how to rename it", () => {
    const error = nonUtf8NameError("static", Buffer.from([0x62, 0xff]));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe("static/b\\xff: file name is not valid UTF-8");
    expect(error.hint).toContain("mv $'static/b\\xff'");
  });
});
