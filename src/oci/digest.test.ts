import { describe, expect, it } from "vitest";
import { digestHex, isDigest, sha256Digest } from "./digest.js";
import type { Digest } from "./types.js";

const HELLO = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

describe("digest", () => {
  it("hashes strings as UTF-8 and buffers as bytes", () => {
    expect(sha256Digest("hello")).toBe(HELLO);
    expect(sha256Digest(Buffer.from("hello"))).toBe(HELLO);
  });

  it.each([
    { value: HELLO, ok: true },
    { value: HELLO.toUpperCase(), ok: false },
    { value: HELLO.slice(0, -1), ok: false },
    { value: `sha512:${HELLO.slice(7)}`, ok: false },
    { value: "sha256:../../etc/passwd", ok: false },
    { value: 42, ok: false },
  ])("isDigest($value) is $ok", ({ value, ok }) => {
    expect(isDigest(value)).toBe(ok);
  });

  it("returns the hex part, and refuses anything that could become a path", () => {
    expect(digestHex(HELLO)).toBe(HELLO.slice(7));
    expect(() => digestHex("sha256:../x" as Digest)).toThrow(/not a sha256 digest/);
  });
});
