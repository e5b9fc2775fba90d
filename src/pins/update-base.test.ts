/**
 * `dray update-base` against a fake registry: what it asks for, what it reports, and that it
 * writes dray.lock only when something changed.
 */
import { mkdtemp, readFile, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveLines } from "../../test/support/config-lines.js";
import { digest } from "../../test/support/digest.js";
import type { RegistryBase } from "../config/types.js";
import { UserError } from "../errors/errors.js";
import { readPins, writePins } from "./pin-file.js";
import type { PinnedBase } from "./pin-format.js";
import { updateBases } from "./update-base.js";

/** Resolves `lines` as the dray.yaml of `root`. */
const testConfig = (root: string, lines: readonly string[]) => resolveLines(lines, { root });

const index = "application/vnd.oci.image.index.v1+json";
const [a, b, c] = [digest("a"), digest("b"), digest("c")];

/** A registry whose tags point where `tags` says; it records every base it is asked about. */
function fakeRegistry(tags: Record<string, PinnedBase>) {
  const asked: string[] = [];
  return {
    asked,
    tags,
    resolve: async (base: RegistryBase): Promise<PinnedBase> => {
      asked.push(`${base.registry}/${base.repository}:${base.tag}`);
      const answer = tags[base.image];
      if (!answer) throw new Error(`no tag ${base.image}`);
      return answer;
    },
  };
}

const lines = [
  "project: shop",
  "base: ghcr.io/org/base:1",
  "services:",
  "  api:",
  "    go: ./api",
  "  orders:",
  "    go: ./orders",
  "  pinned:",
  "    go: ./pinned",
  `    base: ghcr.io/org/base@${c}`,
  "  tool:",
  "    go: ./tool",
  "    base: { image: 127.0.0.1:5000/tools }",
  "  web:",
  "    go: ./web",
  "    base: scratch",
];

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dray-update-base-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const pinsText = () => readFile(path.join(root, "dray.lock"), "utf8");

describe("updateBases", () => {
  it("pins every tag once, never asks about a base pinned by digest, and reports what moved", async () => {
    const config = testConfig(root, lines);
    const registry = fakeRegistry({
      "ghcr.io/org/base:1": { digest: a, mediaType: index },
      "127.0.0.1:5000/tools": { digest: b, mediaType: index },
    });
    const result = await updateBases({ config, resolve: registry.resolve });
    expect(registry.asked.sort()).toEqual(["127.0.0.1:5000/tools:latest", "ghcr.io/org/base:1"]);
    expect(result).toEqual({
      changed: [
        { image: "127.0.0.1:5000/tools", to: b },
        { image: "ghcr.io/org/base:1", to: a },
      ],
      unchanged: [`ghcr.io/org/base@${c}`],
      removed: [],
    });
    expect(await readPins(root)).toEqual({ bases: registry.tags });
  });

  it("leaves dray.lock untouched when no tag moved", async () => {
    const config = testConfig(root, lines);
    const registry = fakeRegistry({
      "ghcr.io/org/base:1": { digest: a, mediaType: index },
      "127.0.0.1:5000/tools": { digest: b, mediaType: index },
    });
    await updateBases({ config, resolve: registry.resolve });
    const before = await pinsText();
    const past = new Date("2001-01-01T00:00:00Z");
    await utimes(path.join(root, "dray.lock"), past, past);
    const result = await updateBases({ config, resolve: registry.resolve });
    expect(result.changed).toEqual([]);
    expect(result.unchanged).toEqual(["127.0.0.1:5000/tools", "ghcr.io/org/base:1", `ghcr.io/org/base@${c}`]);
    expect(await pinsText()).toBe(before);
    expect((await stat(path.join(root, "dray.lock"))).mtime).toEqual(past);
  });

  it("reports a moved tag with its old and new digest", async () => {
    const config = testConfig(root, lines);
    await writePins(root, {
      bases: {
        "ghcr.io/org/base:1": { digest: a, mediaType: index },
        "127.0.0.1:5000/tools": { digest: b, mediaType: index },
      },
    });
    const registry = fakeRegistry({
      "ghcr.io/org/base:1": { digest: c, mediaType: index },
      "127.0.0.1:5000/tools": { digest: b, mediaType: index },
    });
    const result = await updateBases({ config, resolve: registry.resolve });
    expect(result.changed).toEqual([{ image: "ghcr.io/org/base:1", from: a, to: c }]);
    expect((await readPins(root)).bases["ghcr.io/org/base:1"]).toEqual({ digest: c, mediaType: index });
  });

  it("updates only the bases named, by service or by reference, and keeps other entries", async () => {
    const config = testConfig(root, lines);
    const stale = { digest: c, mediaType: index };
    await writePins(root, { bases: { "ghcr.io/org/old:1": stale } });
    const registry = fakeRegistry({
      "ghcr.io/org/base:1": { digest: a, mediaType: index },
      "127.0.0.1:5000/tools": { digest: b, mediaType: index },
    });
    const byService = await updateBases({ config, only: ["orders"], resolve: registry.resolve });
    expect(byService.changed.map((c) => c.image)).toEqual(["ghcr.io/org/base:1"]);
    const byImage = await updateBases({ config, only: ["127.0.0.1:5000/tools"], resolve: registry.resolve });
    expect(byImage.changed.map((c) => c.image)).toEqual(["127.0.0.1:5000/tools"]);
    expect(registry.asked).toEqual(["ghcr.io/org/base:1", "127.0.0.1:5000/tools:latest"]);
    expect((await readPins(root)).bases["ghcr.io/org/old:1"]).toEqual(stale);
  });

  it("drops entries no base names any more on a full update", async () => {
    const config = testConfig(root, lines);
    const registry = fakeRegistry({
      "ghcr.io/org/base:1": { digest: a, mediaType: index },
      "127.0.0.1:5000/tools": { digest: b, mediaType: index },
    });
    await updateBases({ config, resolve: registry.resolve });
    const pins = await readPins(root);
    await writePins(root, {
      bases: { ...pins.bases, "ghcr.io/org/old:1": { digest: c, mediaType: index } },
    });
    const result = await updateBases({ config, resolve: registry.resolve });
    expect([result.changed, result.removed]).toEqual([[], ["ghcr.io/org/old:1"]]);
    expect(await readPins(root)).toEqual(pins);
  });

  it("writes nothing when the registry fails for any base", async () => {
    const config = testConfig(root, lines);
    const registry = fakeRegistry({ "ghcr.io/org/base:1": { digest: a, mediaType: index } });
    await expect(updateBases({ config, resolve: registry.resolve })).rejects.toThrow(
      "no tag 127.0.0.1:5000/tools",
    );
    expect(await readPins(root)).toEqual({ bases: {} });
  });

  const wrongNames: { description: string; only: string[]; message: string; hint: string | undefined }[] = [
    {
      description: "a misspelled service",
      only: ["ordres"],
      message: '"ordres" is neither a service nor a registry base in dray.yaml',
      hint: 'Did you mean "orders"?',
    },
    {
      description: "an unknown reference",
      only: ["quay.io/x/y:1"],
      message: '"quay.io/x/y:1" is neither a service nor a registry base in dray.yaml',
      hint: "Registry bases: 127.0.0.1:5000/tools, ghcr.io/org/base:1, ghcr.io/org/base@" + c,
    },
    {
      description: "a service whose base is not in a registry",
      only: ["web"],
      message: 'service "web" has no registry base (its base is scratch)',
      hint: undefined,
    },
  ];
  it.each(wrongNames)("rejects $description before asking the registry", async ({ only, message, hint }) => {
    const registry = fakeRegistry({});
    const error = await updateBases({
      config: testConfig(root, lines),
      only,
      resolve: registry.resolve,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect([(error as UserError).message, (error as UserError).hint]).toEqual([message, hint]);
    expect(registry.asked).toEqual([]);
  });
});
