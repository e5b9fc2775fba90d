/**
 * dray.yaml's bytes into text, refusing what is not UTF-8 instead of guessing: a byte that is not
 * UTF-8 would otherwise become U+FFFD silently, and a UTF-16 file would parse as one odd scalar
 * ("must be a map"). Pure: the bytes come from read-config.ts.
 */
import type { Position } from "./locator.js";

/** Far above any real dray.yaml (the example's is 2 KiB; 5,000 services take about 1 MiB). */
export const CONFIG_SIZE_LIMIT = 4 * 1024 * 1024;

/** The text, or what is wrong with the bytes and where. */
export type Decoded = { ok: true; text: string } | { ok: false; position: Position; message: string };

const SAVE_AS_UTF8 = "save the file as UTF-8 (without a byte order mark is best)";

/** Byte order marks of encodings dray.yaml must not be in; UTF-32 first, as its LE mark starts with UTF-16's. */
const FOREIGN_MARKS: { bytes: number[]; name: string }[] = [
  { bytes: [0xff, 0xfe, 0x00, 0x00], name: "UTF-32" },
  { bytes: [0x00, 0x00, 0xfe, 0xff], name: "UTF-32" },
  { bytes: [0xff, 0xfe], name: "UTF-16" },
  { bytes: [0xfe, 0xff], name: "UTF-16" },
];

/** Decodes dray.yaml's bytes as UTF-8 (a UTF-8 byte order mark is dropped). */
export function decodeConfigBytes(bytes: Uint8Array): Decoded {
  for (const mark of FOREIGN_MARKS) {
    if (mark.bytes.every((byte, i) => bytes[i] === byte)) {
      return {
        ok: false,
        position: { line: 1, column: 1 },
        message: `the file is ${mark.name} (it starts with a ${mark.name} byte order mark) — ${SAVE_AS_UTF8}`,
      };
    }
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // YAML allows no NUL; a file full of them is UTF-16 or UTF-32 without a byte order mark.
    return {
      ok: false,
      position: positionOf(bytes, nul),
      message: `the file contains a NUL byte — is it UTF-16 or UTF-32? ${SAVE_AS_UTF8}`,
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidByte(bytes);
    return {
      ok: false,
      position: positionOf(bytes, bad),
      message: `invalid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, "0")}) — ${SAVE_AS_UTF8}`,
    };
  }
}

/**
 * The offset of the first byte that is not part of valid UTF-8. Decoding with replacement turns each
 * bad sequence into U+FFFD; walking the text and the bytes side by side, the first U+FFFD that the
 * bytes do not spell (EF BF BD) is where they go wrong.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  let offset = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (
      code === 0xfffd &&
      !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)
    )
      return offset;
    offset += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return offset;
}

/** Line and column (in characters, 1-based) of the byte at `offset`; the bytes before it are valid UTF-8. */
function positionOf(bytes: Uint8Array, offset: number): Position {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, column: [...before].length + 1 };
}

/** The message for a file over CONFIG_SIZE_LIMIT. */
export function tooLargeMessage(display: string, size: number): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${display} is ${mib(size)}; dray reads at most ${mib(CONFIG_SIZE_LIMIT)} of configuration`;
}
