/**
 * dray.lock: its exact text, byte-stable writes, what a broken file tells the user, and which
 * registry bases a build would find unpinned.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveLines } from "../../test/support/config-lines.js";
import { digest } from "../../test/support/digest.js";
import { UserError } from "../errors/errors.js";
import {
  type BasePins,
  digestInPins,
  pinnedDigest,
  readPins,
  requirePins,
  unpinnedBases,
  writePins,
} from "./pin-file.js";
import { PINS_HINT, parsePins, renderPins } from "./pin-format.js";

/** Resolves `lines` as the dray.yaml of `root`. */
const testConfig = (root: string, lines: readonly string[]) => resolveLines(lines, { root });

const index = "application/vnd.oci.image.index.v1+json";
const manifest = "application/vnd.oci.image.manifest.v1+json";
const a = digest("a");
const b = digest("b");

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dray-pins-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** The UserError `run` throws. */
function userError(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError, got none");
}

describe("dray.lock text", () => {
  it("is sorted JSON with a final newline, whatever order entries were added in", () => {
    const one: BasePins = {
      bases: { "z.io/b:1": { digest: b, mediaType: manifest }, "a.io/a:1": { digest: a, mediaType: index } },
    };
    const other: BasePins = {
      bases: { "a.io/a:1": { mediaType: index, digest: a }, "z.io/b:1": { digest: b, mediaType: manifest } },
    };
    const text = renderPins(one);
    expect(text).toBe(
      [
        "{",
        '  "version": 1,',
        '  "bases": {',
        '    "a.io/a:1": {',
        `      "digest": "${a}",`,
        `      "mediaType": "${index}"`,
        "    },",
        '    "z.io/b:1": {',
        `      "digest": "${b}",`,
        `      "mediaType": "${manifest}"`,
        "    }",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    expect(renderPins(other)).toBe(text);
    expect(parsePins(text)).toEqual(one);
  });

  it("reads a missing file and an empty file as no pins", async () => {
    expect(await readPins(root)).toEqual({ bases: {} });
    await writeFile(path.join(root, "dray.lock"), "\n");
    expect(await readPins(root)).toEqual({ bases: {} });
  });

  it("writes byte-identical files for equal pins, and reads back what it wrote", async () => {
    const pins: BasePins = { bases: { "127.0.0.1:5000/base/static:1.0": { digest: a, mediaType: index } } };
    await writePins(root, pins);
    const first = await readFile(path.join(root, "dray.lock"));
    await writePins(root, await readPins(root));
    expect((await readFile(path.join(root, "dray.lock"))).equals(first)).toBe(true);
    expect(await readPins(root)).toEqual(pins);
  });
});

describe("a broken dray.lock", () => {
  const entry = (digest: string) =>
    `{\n  "version": 1,\n  "bases": {\n    "ghcr.io/org/base:1": {\n      "digest": "${digest}",\n      "mediaType": "${index}"\n    }\n  }\n}\n`;
  const broken: { description: string; text: string; message: string }[] = [
    {
      description: "invalid JSON is placed at its line and column",
      text: '{\n  "version": 1\n  "bases": {}\n}\n',
      message: "dray.lock:3:3: not valid JSON (Expected ',' or '}' after property value)",
    },
    {
      description: "merge conflict markers are named as such",
      text: `{\n<<<<<<< HEAD\n=======\n>>>>>>> main\n}\n`,
      message: "dray.lock:2:1: unresolved merge conflict markers",
    },
    {
      description: "a malformed digest points at its entry",
      text: entry("sha256:123"),
      message: 'dray.lock:5:7: "ghcr.io/org/base:1" has no valid sha256 digest',
    },
    {
      description: "a key that is no image reference",
      text: '{ "version": 1, "bases": { "alpine": {} } }',
      message: 'dray.lock:1:28: "alpine" is not a registry image reference',
    },
    {
      description: "a dray.lock from a newer dray",
      text: '{ "version": 2, "bases": {} }',
      message: "dray.lock:1:3: written by a newer dray (format version 2)",
    },
  ];
  it.each(broken)("$description", ({ text, message }) => {
    const error = userError(() => parsePins(text));
    expect([error.message, error.hint]).toEqual([message, PINS_HINT]);
  });
});

describe("which bases are pinned", () => {
  const lines = [
    "project: shop",
    "base: ghcr.io/org/base:1",
    "services:",
    "  api:",
    "    go: ./api",
    "  pinned:",
    "    go: ./pinned",
    `    base: ghcr.io/org/base@${b}`,
    "  tool:",
    "    go: ./tool",
    "    base: { image: 127.0.0.1:5000/tools }",
    "  web:",
    "    go: ./web",
    "    base: scratch",
  ];

  it("lists registry bases with neither a digest in dray.yaml nor a dray.lock entry, once each, sorted", () => {
    const config = testConfig("/repo", lines);
    expect(unpinnedBases(config, { bases: {} })).toEqual(["127.0.0.1:5000/tools", "ghcr.io/org/base:1"]);
    const pins: BasePins = { bases: { "ghcr.io/org/base:1": { digest: a, mediaType: index } } };
    expect(unpinnedBases(config, pins)).toEqual(["127.0.0.1:5000/tools"]);
    expect(digestInPins(pins, "ghcr.io/org/base:1")).toBe(a);
    expect(digestInPins(pins, "constructor")).toBeUndefined();
  });

  it("pins a base by the digest it was written with, else by dray.lock", () => {
    const config = testConfig("/repo", lines);
    const pins: BasePins = { bases: { "ghcr.io/org/base:1": { digest: a, mediaType: index } } };
    const byName = Object.fromEntries(config.services.map((s) => [s.name, s.base]));
    const pinned = (name: string) => {
      const base = byName[name]!;
      return base.kind === "registry" ? pinnedDigest(base, pins) : base.kind;
    };
    expect(["api", "pinned", "tool", "web"].map(pinned)).toEqual([a, b, undefined, "scratch"]);
  });

  it("stops a build at an unpinned base, saying how to pin it", () => {
    const error = userError(() => requirePins(testConfig("/repo", lines), { bases: {} }));
    expect([error.message, error.details, error.hint]).toEqual([
      "dray.yaml names 2 registry bases that are not in dray.lock",
      "  127.0.0.1:5000/tools\n  ghcr.io/org/base:1",
      "Run `dray update-base` to resolve their tags to digests and write dray.lock, then commit it.",
    ]);
  });
});
