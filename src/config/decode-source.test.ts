import { describe, expect, it } from "vitest";
import { decodeConfigBytes } from "./decode-source.js";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeConfigBytes", () => {
  it.each([
    { description: "plain UTF-8", input: bytes("project: shop\n"), text: "project: shop\n" },
    {
      description: "UTF-8 with a byte order mark (dropped)",
      input: bytes([0xef, 0xbb, 0xbf], "a: 1\n"),
      text: "a: 1\n",
    },
    {
      description: "a real U+FFFD among other non-ASCII text",
      input: bytes('labels: { note: "é � 😀" }\n'),
      text: 'labels: { note: "é � 😀" }\n',
    },
  ])("decodes $description", ({ input, text }) => {
    expect(decodeConfigBytes(input)).toEqual({ ok: true, text });
  });

  it.each([
    {
      description: "a Latin-1 byte at its line and column (columns in characters)",
      input: bytes('project: shop\nservices:\n  api: { env: { NAME: "caf', [0xe9], '" } }\n'),
      position: { line: 3, column: 27 },
      message: /^invalid UTF-8 \(byte 0xE9\) — save the file as UTF-8/,
    },
    {
      description: "a bad byte after multi-byte characters on its line",
      input: bytes('a: "ü😀', [0xff], '"\n'),
      position: { line: 1, column: 7 },
      message: /^invalid UTF-8 \(byte 0xFF\)/,
    },
    {
      description: "a cut-off character at the end",
      input: bytes("a: b\nc: ", [0xe2, 0x82]),
      position: { line: 2, column: 4 },
      message: /^invalid UTF-8 \(byte 0xE2\)/,
    },
    {
      description: "UTF-16 (little endian, with its byte order mark)",
      input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("project: shop\n", "utf16le")]),
      position: { line: 1, column: 1 },
      message: /^the file is UTF-16 \(it starts with a UTF-16 byte order mark\) — save the file as UTF-8/,
    },
    {
      description: "UTF-16 (big endian)",
      input: bytes([0xfe, 0xff, 0x00, 0x70]),
      position: { line: 1, column: 1 },
      message: /^the file is UTF-16/,
    },
    {
      description: "UTF-32 (little endian), not taken for UTF-16",
      input: bytes([0xff, 0xfe, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00]),
      position: { line: 1, column: 1 },
      message: /^the file is UTF-32/,
    },
    {
      description: "UTF-16 without a byte order mark (NUL bytes)",
      input: Buffer.from("project: shop\n", "utf16le"),
      position: { line: 1, column: 2 },
      message: /NUL byte — is it UTF-16 or UTF-32\?/,
    },
  ])("reports $description", ({ input, position, message }) => {
    const decoded = decodeConfigBytes(input);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.position).toEqual(position);
    expect(decoded.message).toMatch(message);
  });
});
