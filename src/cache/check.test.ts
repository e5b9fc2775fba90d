import { mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testKey } from "../../test/support/cache-entry.js";
import { blobFile, flipByte } from "../../test/support/damage.js";
import { sampleImageSet } from "../../test/support/sample-image.js";
import { type LayoutStore, openLayout } from "../oci/layout.js";
import type { ImageSet } from "../oci/types.js";
import { type BuildCache, openBuildCache } from "./build-cache.js";
import { checkCache } from "./check.js";
import { type CacheEntry, entryFor } from "./entry.js";
import { entryPath } from "./entry-file.js";
import { readSizeFile } from "./size-file.js";

let temp: string;
let cache: BuildCache;
let images: LayoutStore;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-check-"));
  cache = await openBuildCache(path.join(temp, "cache"));
  images = await openLayout(path.join(temp, "oci"), { create: true });
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Builds `service` (its own app layer, a shared base layer), writes, tags and caches it as a build does. */
async function built(service: string): Promise<{ set: ImageSet; entry: CacheEntry }> {
  const set = await sampleImageSet({ app: service });
  await images.writeImageSet(set);
  const entry = entryFor(testKey(service, set), set, 1);
  await cache.put(entry);
  await images.tag({ [service]: set.top });
  return { set, entry };
}

const check = (repair = false, bases?: LayoutStore) =>
  checkCache({ cacheDir: cache.dir, images, bases, repair });

/** What each problem is about, in report order. */
const subjects = (report: Awaited<ReturnType<typeof check>>) =>
  report.problems.map((p) => [p.kind, p.subject, p.repaired]);

describe("checkCache", () => {
  it("finds nothing wrong after a build", async () => {
    await built("api");
    await built("web");
    const report = await check();
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(2);
    expect(report.layouts).toEqual([{ root: images.root, blobs: 15, bytes: expect.any(Number), tags: 2 }]);
  });

  it("names a corrupted blob, the tag and the entry that need it; --repair removes exactly those", async () => {
    const api = await built("api");
    const web = await built("web");
    const layer = api.set.images[0]!.layers[1]!.blob.descriptor.digest;
    await flipByte(blobFile(images.root, layer));

    const report = await check();
    expect(subjects(report)).toEqual([
      ["blob", `blob ${layer}`, false],
      ["tag", "tag api", false],
      ["entry", `cache entry ${api.entry.key} (api)`, false],
    ]);
    expect(report.problems[0]!.problem).toMatch(/^its content hashes to sha256:[0-9a-f]{64}$/);
    expect(report.problems[1]!.problem).toBe(`its image needs blob ${layer}, which is corrupted`);
    expect(report.problems.every((p) => p.blob === layer)).toBe(true);

    const repaired = await check(true);
    expect(subjects(repaired)).toEqual(subjects(report).map(([kind, subject]) => [kind, subject, true]));
    expect(repaired.problems.map((p) => p.fixed)).toEqual([
      "removed it; the next build writes it again",
      "removed the tag; the next build tags the service again",
      "removed it; the next build of api builds it again",
    ]);
    expect(await images.blobSize(layer)).toBeUndefined();
    expect(Object.keys(await images.listTags())).toEqual(["web"]);
    expect(await cache.get(api.entry.key)).toBeUndefined();
    expect(await cache.get(web.entry.key)).toEqual(web.entry);
    // size.json counts what the remaining entry references, exactly.
    expect([...((await readSizeFile(cache.dir)) ?? [])].map(([digest]) => digest).sort()).toEqual(
      web.entry.blobs.map((b) => b.digest).sort(),
    );
    expect((await check()).problems).toEqual([]);
  });

  it("names the tag and the entry of a deleted blob", async () => {
    const api = await built("api");
    const config = api.set.images[1]!.config.descriptor.digest;
    await unlink(blobFile(images.root, config));
    const report = await check();
    expect(subjects(report)).toEqual([
      ["tag", "tag api", false],
      ["entry", `cache entry ${api.entry.key} (api)`, false],
    ]);
    expect(report.problems[1]!.problem).toBe(`needs blob ${config}, which is missing`);
    await check(true);
    expect(await images.listTags()).toEqual({});
    expect((await check()).problems).toEqual([]);
  });

  it.each([
    { damage: "torn", write: (text: string) => text.slice(0, 40) },
    {
      damage: "edited so that its ingredients no longer hash to its key",
      write: (text: string) => text.replace('"service":"api"}', '"service":"web"}'),
    },
    {
      damage: "a copy of another key's entry",
      write: (_: string, other: string) => other,
    },
  ])("names an entry file that is $damage, and --repair removes it", async ({ write }) => {
    const api = await built("api");
    const web = await built("web");
    const file = entryPath(cache.dir, api.entry.key);
    const text = await readFile(file, "utf8");
    expect(text).toContain('"service":"api"}');
    await writeFile(file, write(text, await readFile(entryPath(cache.dir, web.entry.key), "utf8")));
    const report = await check();
    expect(report.problems.map((p) => [p.kind, p.file])).toEqual([["entry", file]]);
    await check(true);
    expect((await check()).problems).toEqual([]);
    expect(await cache.get(web.entry.key)).toEqual(web.entry);
  });

  it("replaces an index.json that does not parse, keeping blobs and entries", async () => {
    const api = await built("api");
    await writeFile(path.join(images.root, "index.json"), '{"manifests": [');
    expect(subjects(await check())).toEqual([["index", "index.json", false]]);
    expect(subjects(await check(true))).toEqual([["index", "index.json", true]]);
    expect(await images.listTags()).toEqual({});
    expect(await cache.get(api.entry.key)).toEqual(api.entry);
    expect((await check()).problems).toEqual([]);
  });

  it("checks the layout of pulled bases the same way", async () => {
    await built("api");
    const bases = await openLayout(path.join(temp, "bases"), { create: true });
    const base = await sampleImageSet({ app: "base" });
    await bases.writeImageSet(base);
    await bases.tag({ "0123.linux-amd64": base.top });
    const layer = base.images[0]!.layers[0]!.blob.descriptor.digest;
    await flipByte(blobFile(bases.root, layer));
    const report = await check(false, bases);
    expect(subjects(report)).toEqual([
      ["blob", `blob ${layer}`, false],
      ["tag", "tag 0123.linux-amd64", false],
    ]);
    expect(report.problems[1]!.fix).toBe("remove the tag; the next build pulls the base image again");
    await check(true, bases);
    expect((await check(false, bases)).problems).toEqual([]);
  });
});
