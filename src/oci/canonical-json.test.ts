import { describe, expect, it } from "vitest";
import { canonicalJson, compareBytes } from "./canonical-json.js";

describe("canonicalJson", () => {
  it.each([
    {
      description: "sorts keys recursively",
      value: { b: 1, a: { d: [3, 1], c: null } },
      json: '{"a":{"c":null,"d":[3,1]},"b":1}',
    },
    { description: "drops undefined properties", value: { a: undefined, b: "x" }, json: '{"b":"x"}' },
    {
      description: "sorts bytewise, uppercase first",
      value: { b: 1, B: 2, "a.b": 3, a: 4 },
      json: '{"B":2,"a":4,"a.b":3,"b":1}',
    },
    { description: "keeps array order", value: ["b", "a"], json: '["b","a"]' },
    {
      description: "escapes like JSON.stringify",
      value: { 'q"': "line\n\u2028" },
      json: '{"q\\"":"line\\n\u2028"}',
    },
    { description: "uses toJSON", value: { t: new Date(0) }, json: '{"t":"1970-01-01T00:00:00.000Z"}' },
  ])("$description", ({ value, json }) => {
    expect(canonicalJson(value)).toBe(json);
  });

  it("does not depend on construction order", () => {
    const a = { config: { Env: ["A=1"], Labels: { x: "1", y: "2" } }, os: "linux" };
    const b = { os: "linux", config: { Labels: { y: "2", x: "1" }, Env: ["A=1"] } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it.each([
    { description: "undefined in an array", value: [1, undefined] },
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    { description: "a hole in an array", value: [1, , 2] },
    { description: "NaN", value: { n: Number.NaN } },
    { description: "a bigint", value: { n: 1n } },
    { description: "a function", value: { f: () => 1 } },
  ])("rejects $description", ({ value }) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it("gives the same bytes for keys that arrive sorted, unsorted, or tie in UTF-8", () => {
    const sorted = { a: 1, b: { x: "1", y: "2" }, c: [{ k: 1, j: 2 }] };
    const unsorted = { c: [{ j: 2, k: 1 }], b: { y: "2", x: "1" }, a: 1 };
    expect(canonicalJson(sorted)).toBe('{"a":1,"b":{"x":"1","y":"2"},"c":[{"j":2,"k":1}]}');
    expect(canonicalJson(unsorted)).toBe(canonicalJson(sorted));
    // Two lone surrogates encode alike (as U+FFFD): they keep the order they were inserted in, as a stable sort does.
    expect(canonicalJson({ "\uDC00": 1, "\uD800": 2 })).toBe('{"\\udc00":1,"\\ud800":2}');
    expect(canonicalJson({ z: 0, "\uDC00": 1, "\uD800": 2 })).toBe('{"z":0,"\\udc00":1,"\\ud800":2}');
  });

  it("rejects cycles but allows shared references", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cyclic/);
  });
});

describe("compareBytes", () => {
  it("orders by UTF-8 bytes where UTF-16 order differs", () => {
    // U+FF61 is one UTF-16 unit above the surrogates of U+1F600, but its UTF-8 bytes sort first.
    expect(["\u{1F600}", "\uFF61"].sort(compareBytes)).toEqual(["\uFF61", "\u{1F600}"]);
    expect(["\u{1F600}", "\uFF61"].sort()).toEqual(["\u{1F600}", "\uFF61"]);
  });
});

describe("compareBytes against the encoded bytes", () => {
  // Units that exercise every path: ASCII, two- and three-byte characters, both surrogate halves
  // (paired and lone), and the units on either side of the surrogate range.
  const units = [
    0x2f, 0x41, 0x61, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0xe000, 0xff61,
  ];
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  const randomString = () =>
    String.fromCharCode(...Array.from({ length: next() % 5 }, () => units[next() % units.length]!));
  it("gives Buffer.compare's sign for 20 000 random pairs, lone surrogates included", () => {
    for (let i = 0; i < 20_000; i++) {
      const a = randomString();
      const b = next() % 4 === 0 ? a + randomString() : randomString();
      const expected = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect([a, b, Math.sign(compareBytes(a, b))]).toEqual([a, b, expected]);
    }
  });
});
