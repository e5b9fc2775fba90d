import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipDeterministic, gzipDeterministicAsync } from "./gzip.js";
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
