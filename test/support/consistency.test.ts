/** The fault suite's consistency checker finds what it is meant to find (and nothing in a sound layout). */
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ImageSet } from "../../src/oci/types.js";
import { checkCache, checkLayout } from "./consistency.js";
import { prng } from "./prng.js";
import { setBlobs, writeSampleImage } from "./sample-image.js";

let dir: string;
let layout: string;
let cache: string;
let set: ImageSet;

const blobFile = (digest: string) => path.join(layout, "blobs", "sha256", digest.slice(7));

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dray-consistency-"));
  layout = path.join(dir, "oci");
  cache = path.join(dir, "cache");
  ({ set } = await writeSampleImage(layout, { tag: "app" }));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("checkLayout", () => {
  it("finds nothing wrong in a sound layout, or one that does not exist yet", async () => {
    expect(await checkLayout(layout)).toEqual([]);
    expect(await checkLayout(path.join(dir, "none"))).toEqual([]);
  });

  it("allows a writer's leftover temp file", async () => {
    await writeFile(path.join(layout, "blobs", "sha256", ".dray-tmp-123-abc"), "half a blob");
    expect(await checkLayout(layout)).toEqual([]);
  });

  it("finds a layer with a flipped byte, by its name and through the tag that reaches it", async () => {
    const layer = set.images[0]!.layers[1]!.blob.descriptor.digest;
    const data = await readFile(blobFile(layer));
    const middle = data.length >> 1;
    data[middle] = data[middle]! ^ 0x01;
    await writeFile(blobFile(layer), data);
    const problems = await checkLayout(layout);
    expect(problems).toContainEqual(
      expect.stringMatching(`blob ${layer.slice(7, 19)}: content does not hash`),
    );
    expect(problems).toContainEqual(expect.stringMatching(/^tag app → linux\/amd64 layer 1: .* has content/));
  });

  it("finds a missing config", async () => {
    const config = set.images[1]!.config.descriptor.digest;
    await unlink(blobFile(config));
    expect(await checkLayout(layout)).toEqual([`tag app → linux/arm64/v8 config: ${config} is missing`]);
  });

  it("finds a torn index.json and a blob-less oci-layout", async () => {
    await writeFile(path.join(layout, "index.json"), '{"schemaVersion":2,"manif');
    expect(await checkLayout(layout)).toEqual([expect.stringMatching(/index\.json: .*JSON/)]);
    await unlink(path.join(layout, "oci-layout"));
    expect(await checkLayout(layout)).toContainEqual(expect.stringMatching(/no oci-layout file/));
  });

  it("finds a random single-byte change anywhere in any blob (seeded)", async () => {
    const blobs = [...setBlobs(set).keys()].sort();
    for (let seed = 1; seed <= 20; seed++) {
      const rng = prng(seed);
      const digest = rng.pick(blobs);
      const original = await readFile(blobFile(digest));
      const data = Buffer.from(original);
      const at = rng.int(0, data.length - 1);
      data[at] = data[at]! ^ rng.int(1, 255);
      await writeFile(blobFile(digest), data);
      expect((await checkLayout(layout)).length, `seed ${seed}`).toBeGreaterThan(0);
      await writeFile(blobFile(digest), original);
    }
    expect(await checkLayout(layout)).toEqual([]);
  });
});

describe("checkCache", () => {
  const writeEntry = async (key: string, fields: Record<string, unknown> = {}) => {
    const blobs = [...setBlobs(set)].map(([digest, size]) => ({ digest, size }));
    const manifests = set.images.map((image) => ({ manifest: image.manifest.descriptor }));
    const entry = { key, service: "app", top: set.top, platforms: manifests, blobs, createdAt: 0, ...fields };
    await mkdir(path.join(cache, "entries"), { recursive: true });
    await writeFile(path.join(cache, "entries", `${key.slice(7)}.json`), JSON.stringify(entry));
  };
  const key = `sha256:${"a".repeat(64)}`;

  it("accepts an entry whose blobs are all in the layout", async () => {
    await writeEntry(key);
    expect(await checkCache(cache, layout)).toEqual([]);
  });

  it("finds an entry stored under another key, a torn one, and one whose blob is gone", async () => {
    await writeEntry(key, { key: `sha256:${"b".repeat(64)}` });
    expect(await checkCache(cache, layout)).toEqual([expect.stringMatching(/stored under another key/)]);
    await writeFile(path.join(cache, "entries", `${"c".repeat(64)}.json`), '{"key":');
    await writeEntry(key);
    expect(await checkCache(cache, layout)).toEqual([expect.stringMatching(/c{64}\.json/)]);
    await rm(path.join(cache, "entries", `${"c".repeat(64)}.json`));
    await unlink(blobFile(set.images[0]!.layers[0]!.blob.descriptor.digest));
    expect(await checkCache(cache, layout)).toEqual([expect.stringMatching(/is not in the layout/)]);
  });
});
