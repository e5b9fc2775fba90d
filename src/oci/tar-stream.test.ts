import { randomBytes } from "node:crypto";
import { appendFile, chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { type TarEntry, type TarOptions, writeTar } from "./tar.js";
import { encodeHeaders } from "./tar-header.js";
import { tarStream } from "./tar-stream.js";

const ZERO: TarOptions = { mtime: 0, uid: 0, gid: 0 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-tar-stream-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A file on disk and the same content in memory: one entry streamed, one written by writeTar. */
async function twin(name: string, data: Buffer, mode?: number): Promise<[TarEntry, TarEntry]> {
  const file = path.join(dir, name);
  await writeFile(file, data);
  const common = { path: `app/${name}`, type: "file" as const, ...(mode === undefined ? {} : { mode }) };
  return [
    { ...common, source: { path: file, size: data.length } },
    { ...common, data },
  ];
}

describe("tarStream", () => {
  it("gives writeTar's bytes, reading file contents from disk", async () => {
    const sizes = { empty: 0, small: 3, block: 512, odd: 1000, chunks: 700_000 };
    const streamed: TarEntry[] = [{ path: "app/link", type: "symlink", linkTarget: "small" }];
    const inMemory: TarEntry[] = [{ path: "app/link", type: "symlink", linkTarget: "small" }];
    for (const [name, size] of Object.entries(sizes)) {
      const [fromDisk, fromMemory] = await twin(name, randomBytes(size), 0o755);
      streamed.push(fromDisk);
      inMemory.push(fromMemory);
    }
    // A larger read than the stream's chunk size, and several file sizes that need padding or not.
    const tar = await collect(tarStream(streamed, ZERO));
    expect(tar.equals(writeTar(inMemory, ZERO))).toBe(true);
  });

  it("streams in-memory entries too, byte for byte as writeTar", async () => {
    const entries: TarEntry[] = [
      { path: "a/b", type: "file", data: Buffer.from("hello") },
      { path: "é/long-name-".concat("x".repeat(120)), type: "file", data: Buffer.alloc(513, 1) },
    ];
    expect((await collect(tarStream(entries, ZERO))).equals(writeTar(entries, ZERO))).toBe(true);
  });

  it("checks the entries when called, before any file is read", () => {
    expect(() =>
      tarStream([{ path: "a/../b", type: "file", source: { path: "/nonexistent", size: 1 } }], ZERO),
    ).toThrow(/invalid path/);
  });

  it("refuses to hold a streamed entry in memory", async () => {
    const [fromDisk] = await twin("held", Buffer.from("x"));
    expect(() => writeTar([fromDisk], ZERO)).toThrow(/stream it with tarStream/);
  });

  it.each([
    { description: "grew", change: (file: string) => appendFile(file, "more"), message: /changed while/ },
    { description: "shrank", change: (file: string) => writeFile(file, "x"), message: /changed while/ },
    { description: "vanished", change: (file: string) => rm(file), message: /disappeared/ },
  ])("fails with a user error naming a file that $description after it was listed", async (c) => {
    const [fromDisk] = await twin(`changing-${c.description}`, Buffer.from("0123456789"));
    await c.change(fromDisk.source!.path);
    const error = await caught(collect(tarStream([fromDisk], ZERO)));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(c.message);
    expect((error as UserError).message).toContain(fromDisk.source!.path);
    expect((error as UserError).exitCode).toBe(ExitCode.failed);
  });

  it.skipIf(process.getuid?.() === 0)("names a file it may not read", async () => {
    const [fromDisk] = await twin("secret", Buffer.from("s"));
    await chmod(fromDisk.source!.path, 0o000);
    const error = await caught(collect(tarStream([fromDisk], ZERO)));
    expect((error as UserError).message).toMatch(/cannot read .*secret: permission denied/);
  });
});

describe("sizes beyond ustar's size field", () => {
  const header = (size: number) =>
    encodeHeaders({
      name: "app/huge",
      typeflag: "0",
      mode: 0o644,
      uid: 0,
      gid: 0,
      size,
      mtime: 0,
      linkname: "",
    });

  it("stores up to 8 GiB - 1 in the ustar field alone", () => {
    const block = header(8 * 2 ** 30 - 1);
    expect(block.length).toBe(512);
    expect(block.toString("latin1", 124, 136)).toBe("77777777777\0");
  });

  it("puts a larger size in a PAX size record, with 0 in the ustar field", () => {
    const blocks = header(9 * 2 ** 30);
    expect(blocks.length).toBe(3 * 512);
    expect(blocks[156]).toBe("x".charCodeAt(0));
    expect(blocks.toString("latin1", 512, 512 + 19)).toBe("19 size=9663676416\n");
    expect(blocks.toString("latin1", 1024 + 124, 1024 + 136)).toBe("00000000000\0");
  });
});
