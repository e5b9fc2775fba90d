import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testKey } from "../../test/support/cache-entry.js";
import { blobFile, flipByte } from "../../test/support/damage.js";
import { sampleImageSet } from "../../test/support/sample-image.js";
import { type LayoutStore, openLayout } from "../oci/layout.js";
import type { Digest, ImageSet } from "../oci/types.js";
import { type BuildCache, openBuildCache } from "./build-cache.js";
import { type CacheEntry, entryFor } from "./entry.js";
import { entryPath } from "./entry-file.js";
import { localImageCache } from "./image-cache.js";

let temp: string;
let cache: BuildCache;
let layout: LayoutStore;
let set: ImageSet;
let entry: CacheEntry;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-image-cache-"));
  cache = await openBuildCache(path.join(temp, "cache"));
  layout = await openLayout(path.join(temp, "oci"), { create: true });
  set = await sampleImageSet();
  await layout.writeImageSet(set);
  entry = entryFor(testKey("api", set), set, 1);
  await cache.put(entry);
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const lookup = (service = "api", key: Digest = entry.key) =>
  localImageCache(cache, layout).lookup(service, key);
const layer = () => set.images[1]!.layers[1]!.blob.descriptor.digest;

describe("localImageCache", () => {
  it("hits when every blob of the entry is there", async () => {
    expect(await lookup()).toEqual({ entry, source: "local" });
  });

  it("hits for another service with the same inputs: they share the entry", async () => {
    expect((await lookup("api-copy"))?.entry).toEqual(entry);
  });

  it.each([
    { damage: "a deleted layer", apply: (file: string) => unlink(file) },
    {
      damage: "a truncated layer",
      apply: async (file: string) => writeFile(file, (await readFile(file)).subarray(1)),
    },
  ])("misses after $damage, so the service is built again", async ({ apply }) => {
    await apply(blobFile(layout.root, layer()));
    expect(await lookup()).toBeUndefined();
  });

  it("still hits after a flipped byte: a hit reads nothing (a build with --no-cache rewrites it)", async () => {
    await flipByte(blobFile(layout.root, layer()));
    expect(await lookup()).toEqual({ entry, source: "local" });
  });

  it("misses when the entry's file holds an entry whose platforms do not make its key", async () => {
    const forged = { ...entry, platforms: entry.platforms.slice(0, 1) };
    await writeFile(entryPath(cache.dir, entry.key), JSON.stringify(forged));
    expect(await lookup()).toBeUndefined();
  });
});
