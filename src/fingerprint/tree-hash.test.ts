import { describe, expect, it } from "vitest";
import { compareUtf8 } from "./tree-hash.js";

describe("compareUtf8", () => {
  it.each([
    { description: "ASCII", a: "a/b", b: "a.b" },
    { description: "a prefix", a: "abc", b: "ab" },
    { description: "equal strings", a: "same", b: "same" },
    { description: "astral against U+FF5A", a: "\u{1F600}", b: "\uFF5A" },
    { description: "astral against U+E000", a: "x\u{10000}", b: "x\uE000" },
    { description: "two astral characters", a: "\u{1F600}", b: "\u{1F601}" },
    { description: "Latin-1 against ASCII", a: "\u00e9", b: "z" },
  ])("orders $description as their UTF-8 bytes do", ({ a, b }) => {
    const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(Math.sign(compareUtf8(a, b))).toBe(bytes);
    expect(Math.sign(compareUtf8(b, a))).toBe(bytes === 0 ? 0 : -bytes);
  });
});
