/**
 * dray.lock's text, both ways; pure. The file is JSON: keys sorted, two-space indents, a final
 * newline, no timestamps — so it is a function of what was resolved alone, an update that finds
 * nothing new rewrites it byte for byte, and a diff shows exactly which base moved:
 *
 *   {
 *     "version": 1,
 *     "bases": {
 *       "127.0.0.1:5000/base/static:1.0": {
 *         "digest": "sha256:…",
 *         "mediaType": "application/vnd.oci.image.index.v1+json"
 *       }
 *     }
 *   }
 */

import { ExitCode, errorMessage, UserError } from "../errors/index.js";
import type { Digest } from "../oci/index.js";
import { compareCodeUnits, isDigest, isImageReference } from "../oci/index.js";

/** The pins file's format version; a newer dray that changes the format bumps it. */
export const PINS_VERSION = 1;

/** What `dray update-base` resolved each registry base's tag to, keyed by the reference as written. */
export interface BasePins {
  bases: Record<string, PinnedBase>;
}

/** One pinned base: the digest its tag pointed at, and the media type of that manifest or index. */
export interface PinnedBase {
  digest: Digest;
  mediaType: string;
}

/** What to do about a broken pins file, on every error about one. */
export const PINS_HINT =
  "Fix it, or delete dray.lock and run `dray update-base` to write it again from the registry.";

/** The file's text: stable for equal contents, whatever order the entries were added in. */
export function renderPins(pins: BasePins): string {
  const bases: Record<string, PinnedBase> = {};
  for (const image of Object.keys(pins.bases).sort(compareCodeUnits)) {
    const { digest, mediaType } = pins.bases[image]!;
    bases[image] = { digest, mediaType };
  }
  return `${JSON.stringify({ version: PINS_VERSION, bases }, null, 2)}\n`;
}

/** "dray.lock:3:5" for a source offset. */
function at(display: string, text: string, offset: number): string {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length))).split("\n");
  return `${display}:${before.length}:${before.at(-1)!.length + 1}`;
}

/** The offset of `keys`, one inside the other, found in turn: good enough to point at a bad entry. */
function offsetOf(text: string, keys: readonly string[]): number {
  let offset = 0;
  for (const key of keys) {
    const found = text.indexOf(JSON.stringify(key), offset);
    if (found < 0) return offset;
    offset = found;
  }
  return offset;
}

function corrupt(where: string, message: string, cause?: unknown): UserError {
  return new UserError(`${where}: ${message}`, { exitCode: ExitCode.usage, hint: PINS_HINT, cause });
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON.parse, with its "at position N" turned into a line and column. */
function parseJson(text: string, display: string): unknown {
  const conflict = /^(?:<{7}|={7}|>{7})(?: |$)/m.exec(text);
  if (conflict) {
    throw corrupt(at(display, text, conflict.index), "unresolved merge conflict markers");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = errorMessage(error);
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : text.length;
    throw corrupt(
      at(display, text, offset),
      `not valid JSON (${message.replace(/ in JSON at position \d+$/, "")})`,
      error,
    );
  }
}

function checkEntry(
  image: string,
  entry: unknown,
  fail: (keys: string[], message: string) => never,
): PinnedBase {
  const name = JSON.stringify(image);
  if (!isImageReference(image)) fail([image], `${name} is not a registry image reference`);
  if (!isMap(entry)) fail([image], `the entry for ${name} is not a map`);
  const unknown = Object.keys(entry).find((key) => key !== "digest" && key !== "mediaType");
  if (unknown !== undefined) fail([image, unknown], `unknown key ${JSON.stringify(unknown)}`);
  if (!isDigest(entry.digest)) fail([image, "digest"], `${name} has no valid sha256 digest`);
  if (typeof entry.mediaType !== "string" || entry.mediaType === "") {
    fail([image, "mediaType"], `${name} has no media type`);
  }
  return { digest: entry.digest, mediaType: entry.mediaType };
}

/**
 * Reads dray.lock's text; an empty file pins nothing. Anything else that is not exactly the
 * format is a UserError at its line: pins that are half understood would pull the wrong image.
 */
export function parsePins(text: string, display = "dray.lock"): BasePins {
  if (text.trim() === "") return { bases: {} };
  const data = parseJson(text, display);
  const fail = (keys: readonly string[], message: string): never => {
    throw corrupt(at(display, text, offsetOf(text, keys)), message);
  };
  if (!isMap(data)) return fail([], "expected a JSON object with version and bases");
  if (data.version !== PINS_VERSION) {
    const newer = typeof data.version === "number" && data.version > PINS_VERSION;
    fail(
      ["version"],
      newer ? `written by a newer dray (format version ${data.version})` : "unknown format version",
    );
  }
  const unknown = Object.keys(data).find((key) => key !== "version" && key !== "bases");
  if (unknown !== undefined) fail([unknown], `unknown key ${JSON.stringify(unknown)}`);
  if (!isMap(data.bases)) return fail(["bases"], "bases is not a map");
  const bases: Record<string, PinnedBase> = {};
  for (const [image, entry] of Object.entries(data.bases)) {
    bases[image] = checkEntry(image, entry, (keys, message) => fail(["bases", ...keys], message));
  }
  return { bases };
}
