import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyed, testPlatform } from "../../test/support/cache-entry.js";
import { digestHex, sha256Digest } from "../oci/digest.js";
import { openLayout } from "../oci/layout.js";
import type { Digest } from "../oci/types.js";
import { maybeAutoPrune } from "./auto-prune.js";
import { openBuildCache } from "./build-cache.js";
import type { CacheEntry } from "./entry.js";
import { readCacheBytes, SIZE_FILE } from "./size-file.js";

let temp: string;
let clock: number;
const now = () => clock;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-cache-"));
  clock = Date.UTC(2025, 0, 1);
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** An entry for `service` keyed by `name`, referencing blobs named blob → size (not in any layout). */
function entry(name: string, blobs: Record<string, number>, service = name): CacheEntry {
  const digests = Object.entries(blobs).map(([blob, size]) => ({ digest: sha256Digest(blob), size }));
  const top = {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: digests[0]!.digest,
    size: 1,
  };
  return keyed({ service, top, platforms: [testPlatform(name, top)], blobs: digests, createdAt: 1 });
}

const cacheDir = () => path.join(temp, "cache");
const entryFile = (key: Digest) => path.join(cacheDir(), "entries", `${digestHex(key)}.json`);

describe("BuildCache get and put", () => {
  it("returns what was put, from entries/<hex>.json, leaving no temp files", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    const stored = entry("api", { layer: 100, config: 10 });
    await cache.put(stored);
    expect(await cache.get(stored.key)).toEqual(stored);
    expect(JSON.parse(await readFile(entryFile(stored.key), "utf8"))).toEqual(stored);
    expect((await readdir(cacheDir())).sort()).toEqual(["entries", SIZE_FILE]);
  });

  it.each([
    { description: "an unknown key", key: sha256Digest("nothing") },
    { description: "a malformed key", key: "sha256:../../x" as Digest },
  ])("misses $description", async ({ key }) => {
    const cache = await openBuildCache(cacheDir(), { now });
    expect(await cache.get(key)).toBeUndefined();
  });

  it.each([
    { description: "not JSON", write: () => "{" },
    { description: "JSON of another shape", write: () => JSON.stringify({ key: sha256Digest("key:api") }) },
    { description: "an entry stored under another key", write: () => JSON.stringify(entry("web", { b: 1 })) },
    {
      description: "an entry with a malformed blob",
      write: () => JSON.stringify({ ...entry("api", { b: 1 }), blobs: [{ digest: "x", size: 1 }] }),
    },
    { description: "empty", write: () => "" },
  ])("treats an entry file that is $description as a miss", async ({ write }) => {
    const cache = await openBuildCache(cacheDir(), { now });
    const key = entry("api", { b: 1 }).key;
    await writeFile(entryFile(key), write());
    expect(await cache.get(key)).toBeUndefined();
  });

  it("treats an entry path that is a directory as a miss", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    const key = entry("api", { b: 1 }).key;
    await mkdir(entryFile(key));
    expect(await cache.get(key)).toBeUndefined();
  });

  it("marks an entry used on get(), and only then", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    const stored = entry("api", { b: 1 });
    await cache.put(stored);
    expect((await stat(entryFile(stored.key))).mtimeMs).toBe(clock);
    clock += 60_000;
    await cache.setLast({ api: stored.key });
    await cache.last("api");
    expect((await stat(entryFile(stored.key))).mtimeMs).toBe(clock - 60_000);
    await cache.get(stored.key);
    expect((await stat(entryFile(stored.key))).mtimeMs).toBe(clock);
  });

  it("reads an entry once per opened cache, and again after put or prune", async () => {
    const stored = entry("api", { b: 1 });
    const writer = await openBuildCache(cacheDir(), { now });
    await writer.put(stored);
    await writer.setLast({ api: stored.key });
    const cache = await openBuildCache(cacheDir(), { now });
    expect(await cache.get(stored.key)).toEqual(stored);
    // A no-op build asks for the same key again as the service's last build: it is not read twice.
    await writeFile(entryFile(stored.key), "{");
    expect(await cache.last("api")).toEqual(stored);
    expect(await cache.get(stored.key)).toEqual(stored);
    // A prune (here evicting it) forgets what was read.
    const layout = await openLayout(path.join(temp, "oci"), { create: true });
    await cache.prune({ maxBytes: 0, layout });
    expect(await cache.get(stored.key)).toBeUndefined();
    await cache.put(stored);
    expect(await cache.get(stored.key)).toEqual(stored);
  });

  it("marks an entry used once per opened cache, however often it is asked for", async () => {
    const stored = entry("api", { b: 1 });
    await (await openBuildCache(cacheDir(), { now })).put(stored);
    const cache = await openBuildCache(cacheDir(), { now });
    clock += 60_000;
    await cache.get(stored.key);
    clock += 60_000;
    await cache.get(stored.key);
    expect((await stat(entryFile(stored.key))).mtimeMs).toBe(clock - 60_000);
    await (await openBuildCache(cacheDir(), { now })).get(stored.key);
    expect((await stat(entryFile(stored.key))).mtimeMs).toBe(clock);
  });

  // How fast these lookups are is measured by bench/changes.mjs (no-op builds), never timed here.
  it("answers the 100 lookups of a no-op build with the entries stored, round after round", async () => {
    const cache = await openBuildCache(cacheDir());
    const files = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`src/pkg${i}/file.go`, "ab".repeat(32)]),
    );
    const stored = Array.from({ length: 100 }, (_, i) => {
      const e = entry(`svc${i}`, { [`layer${i}`]: 1_000_000, base: 5_000_000 });
      const ingredients = {
        format: 1,
        platform: "linux/amd64",
        settings: {},
        files,
        packages: {},
        modules: {},
      };
      return { ...e, platforms: [{ ...e.platforms[0]!, ingredients }] };
    });
    await Promise.all(stored.map((e) => cache.put(e)));
    for (let round = 0; round < 3; round++) {
      const found = [];
      for (const e of stored) found.push(await cache.get(e.key));
      expect(found).toEqual(stored);
    }
  });
});

describe("BuildCache last and setLast", () => {
  it("merges records from many writers and finds each service's entry", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    const other = await openBuildCache(cacheDir(), { now });
    const entries = Array.from({ length: 20 }, (_, i) => entry(`svc${i}`, { [`b${i}`]: 1 }));
    await Promise.all(entries.map((e) => cache.put(e)));
    await Promise.all(entries.map((e, i) => (i % 2 ? cache : other).setLast({ [e.service]: e.key })));
    for (const e of entries) expect(await cache.last(e.service)).toEqual(e);
    const last = JSON.parse(await readFile(path.join(cacheDir(), "last.json"), "utf8"));
    expect(Object.keys(last)).toEqual(entries.map((e) => e.service).sort());
  });

  it.each([
    { description: "a service never built", service: "web", records: {} },
    { description: "a service whose entry is gone", service: "api", records: { api: sha256Digest("gone") } },
    { description: "an inherited property name", service: "constructor", records: {} },
  ])("returns nothing for $description", async ({ service, records }) => {
    const cache = await openBuildCache(cacheDir(), { now });
    await cache.setLast(records as Record<string, Digest>);
    expect(await cache.last(service)).toBeUndefined();
  });

  it("reads a corrupt last.json as empty and rewrites it", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    await writeFile(path.join(cacheDir(), "last.json"), "[1,");
    const stored = entry("api", { b: 1 });
    await cache.put(stored);
    expect(await cache.last("api")).toBeUndefined();
    await cache.setLast({ api: stored.key });
    expect(await cache.last("api")).toEqual(stored);
  });
});

describe("BuildCache size accounting", () => {
  it("keeps size.json exact when many entries are put at once, from one cache or several", async () => {
    const caches = [await openBuildCache(cacheDir(), { now }), await openBuildCache(cacheDir(), { now })];
    // Every entry shares the base layer: the cache's size counts it once.
    const entries = Array.from({ length: 40 }, (_, i) =>
      entry(`svc${i}`, { base: 1000, [`app${i}`]: i + 1 }),
    );
    await Promise.all(entries.map((e, i) => caches[i % 2]!.put(e)));
    const expected = 1000 + (40 * 41) / 2;
    expect(await readCacheBytes(cacheDir())).toBe(expected);
    expect((await caches[0]!.info()).bytes).toBe(expected);
  });

  it("reports entries, services, unique bytes and first and last use", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    const first = clock;
    await cache.put(entry("api-1", { base: 1000, a1: 10 }, "api"));
    clock += 1000;
    await cache.put(entry("api-2", { base: 1000, a2: 20 }, "api"));
    clock += 1000;
    await cache.put(entry("web", { w: 30 }));
    expect(await cache.info()).toEqual({
      dir: cacheDir(),
      entries: 3,
      bytes: 1060,
      oldestUse: first,
      newestUse: clock,
      services: 2,
    });
  });

  it("reports an empty cache without use times", async () => {
    const cache = await openBuildCache(cacheDir(), { now });
    expect(await cache.info()).toEqual({ dir: cacheDir(), entries: 0, bytes: 0, services: 0 });
    expect(await readCacheBytes(cacheDir())).toBe(0);
  });
});

describe("maybeAutoPrune", () => {
  it.each([
    { description: "does nothing under the limit", limit: "100", sizeFile: "kept", pruned: false },
    { description: "prunes over the limit", limit: "15", sizeFile: "kept", pruned: true },
    { description: "prunes when size.json is missing", limit: "100", sizeFile: "deleted", pruned: true },
    { description: "prunes when size.json is corrupt", limit: "100", sizeFile: "corrupt", pruned: true },
  ])("$description", async ({ limit, sizeFile, pruned }) => {
    const cache = await openBuildCache(cacheDir(), { now });
    const layout = await openLayout(path.join(temp, "oci"), { create: true });
    for (const name of ["old", "mid", "new"]) {
      await cache.put(entry(name, { [name]: 10 }));
      clock += 1000;
    }
    const sizePath = path.join(cacheDir(), SIZE_FILE);
    if (sizeFile === "deleted") await rm(sizePath);
    if (sizeFile === "corrupt") await writeFile(sizePath, "{");

    const result = await maybeAutoPrune(cache, layout, { DRAY_CACHE_MAX: limit });

    expect(result !== undefined).toBe(pruned);
    expect(result?.evicted.map((e) => e.service) ?? []).toEqual(limit === "15" ? ["old", "mid"] : []);
    const info = await cache.info();
    // Whatever happened, size.json now matches the entries.
    expect(await readCacheBytes(cacheDir())).toBe(info.bytes);
    expect(info.bytes).toBeLessThanOrEqual(Number(limit));
  });
});
