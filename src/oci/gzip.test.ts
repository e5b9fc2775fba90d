import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createGzipDeterministic, gzipDeterministic, gzipDeterministicAsync } from "./gzip.js";
import { writeTar } from "./tar.js";

const tar = writeTar(
  [
    { path: "app/hello", type: "file", mode: 0o755, data: Buffer.from("hi\n") },
    { path: "app/big", type: "file", data: Buffer.alloc(200_000, "dray ") },
  ],
  { mtime: 0, uid: 0, gid: 0 },
);

describe("gzipDeterministic", () => {
  it("writes magic, deflate, no flags, MTIME 0, XFL for the default level 1 and OS 0xff", () => {
    // 1f8b: magic; 08: deflate; 00: FLG (no FNAME/FCOMMENT/FEXTRA); 00000000: MTIME; 04: XFL "fastest"; ff: OS unknown.
    expect(gzipDeterministic(tar).subarray(0, 10).toString("hex")).toBe("1f8b08000000000004ff");
    // XFL follows the level: 00 for level 6.
    expect(gzipDeterministic(tar, 6).subarray(0, 10).toString("hex")).toBe("1f8b08000000000000ff");
  });

  it.each([
    { level: 1, xfl: "04" }, // zlib: fastest
    { level: 9, xfl: "02" }, // zlib: maximum compression
  ])("writes XFL $xfl for level $level", ({ level, xfl }) => {
    expect(gzipDeterministic(tar, level).subarray(8, 10).toString("hex")).toBe(`${xfl}ff`);
  });

  it("decompresses back to the tar", () => {
    expect(gunzipSync(gzipDeterministic(tar)).equals(tar)).toBe(true);
  });

  it("gives the same bytes sync and async, and on every call", async () => {
    const sync = gzipDeterministic(tar);
    const [a, b] = await Promise.all([gzipDeterministicAsync(tar), gzipDeterministicAsync(tar)]);
    expect(a.equals(sync)).toBe(true);
    expect(b.equals(sync)).toBe(true);
  });

  it("rejects a level zlib does not have", () => {
    expect(() => gzipDeterministic(tar, 10)).toThrow(RangeError);
  });
});

/** `data` through the streaming gzip, written in pieces of the given sizes (cycled). */
async function gzipInPieces(data: Buffer, pieces: readonly number[], level?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = pieces[i % pieces.length]!;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  const { deflate, header } = createGzipDeterministic(level);
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), deflate, header, async (stream: AsyncIterable<Buffer>) => {
    for await (const chunk of stream) out.push(chunk);
  });
  return Buffer.concat(out);
}

/** Compressible but not trivial: repeated text with a counter, then noise from a fixed seed. */
function mixedData(size: number): Buffer {
  const text = Buffer.from(Array.from({ length: size / 20 }, (_, i) => `line ${i % 977}\n`).join(""));
  let noise = createHash("sha256").update("seed").digest();
  const parts = [text];
  for (let n = text.length; n < size; n += noise.length) {
    noise = createHash("sha256").update(noise).digest();
    parts.push(noise);
  }
  return Buffer.concat(parts).subarray(0, size);
}

describe("createGzipDeterministic", () => {
  const big = mixedData(3_000_000);
  it.each([
    { description: "the tar in one piece", data: tar, pieces: [tar.length] },
    { description: "the tar byte by byte for a while", data: tar.subarray(0, 5000), pieces: [1] },
    { description: "3 MB in 16 KiB pieces", data: big, pieces: [16_384] },
    { description: "3 MB in uneven pieces", data: big, pieces: [1, 511, 65_536, 7, 262_144, 100_000] },
    { description: "nothing at all", data: Buffer.alloc(0), pieces: [1] },
  ])("gives gzipDeterministic's bytes for $description", async ({ data, pieces }) => {
    expect((await gzipInPieces(data, pieces)).equals(gzipDeterministic(data))).toBe(true);
  });

  it("follows the level as gzipDeterministic does", async () => {
    const streamed = await gzipInPieces(big, [100_000], 6);
    expect(streamed.equals(gzipDeterministic(big, 6))).toBe(true);
    expect(streamed.subarray(8, 10).toString("hex")).toBe("00ff");
  });
});
