import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyed, testPlatform } from "../../test/support/cache-entry.js";
import { assembleImage, assembleImageSet } from "../oci/image.js";
import { createLayer } from "../oci/layer.js";
import { type LayoutStore, openLayout } from "../oci/layout.js";
import type { Digest, ImageSet, Layer } from "../oci/types.js";
import { type BuildCache, openBuildCache } from "./build-cache.js";
import type { CacheEntry } from "./entry.js";
import { readCacheBytes } from "./size-file.js";

let temp: string;
let clock: number;
let cache: BuildCache;
let layout: LayoutStore;
let base: Layer;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-prune-"));
  clock = Date.UTC(2025, 0, 1);
  cache = await openBuildCache(path.join(temp, "cache"), { now: () => clock });
  layout = await openLayout(path.join(temp, "oci"), { create: true });
  base = await layer("base", "shared base layer\n".repeat(100));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

function layer(name: string, content: string): Promise<Layer> {
  const data = Buffer.from(content);
  return createLayer([{ path: `app/${name}`, type: "file", mode: 0o644, data }], {
    mtime: 0,
    uid: 0,
    gid: 0,
    comment: `dray: ${name}`,
  });
}

/** Every blob a set writes, each once. */
function blobsOf(set: ImageSet): { digest: Digest; size: number }[] {
  const descriptors = [
    ...set.images.flatMap((i) =>
      [i.config, i.manifest, ...i.layers.map((l) => l.blob)].map((b) => b.descriptor),
    ),
    ...(set.index ? [set.index.descriptor] : []),
  ];
  return [...new Map(descriptors.map((d) => [d.digest, d.size]))].map(([digest, size]) => ({ digest, size }));
}

interface Built {
  set: ImageSet;
  entry: CacheEntry;
  /** Blobs of this service alone (everything but the shared base layer). */
  own: Digest[];
}

/** Builds `service` on the shared base, writes it to the layout and puts its entry at the current clock. */
async function build(service: string): Promise<Built> {
  const app = await layer(service, `${service} binary\n`);
  const image = assembleImage({
    platform: { os: "linux", architecture: "amd64" },
    layers: [base, app],
    config: {},
    created: 0,
  });
  const set = assembleImageSet([image]);
  await layout.writeImageSet(set);
  const blobs = blobsOf(set);
  const entry: CacheEntry = keyed({
    service,
    top: set.top,
    platforms: [testPlatform(service, set.images[0]!.manifest.descriptor)],
    blobs,
    createdAt: clock,
  });
  await cache.put(entry);
  const own = blobs.map((b) => b.digest).filter((d) => d !== base.blob.descriptor.digest);
  return { set, entry, own };
}

const sizeOf = (built: Built, digests: readonly Digest[]) =>
  built.entry.blobs.filter((b) => digests.includes(b.digest)).reduce((sum, b) => sum + b.size, 0);

async function present(digests: readonly Digest[]): Promise<boolean[]> {
  return Promise.all(digests.map((d) => layout.hasBlob(d)));
}

/** a, b, c built in that order; c tagged and recorded as its service's last build; then a used again. */
async function threeServices() {
  const [a, b, c] = [await build("a"), await build("b"), await build("c")];
  clock += 1000;
  await layout.tag({ c: c.set.top });
  await cache.setLast({ c: c.entry.key });
  clock += 1000;
  await cache.get(a.entry.key);
  const total = (await cache.info()).bytes;
  return { a, b, c, total };
}

describe("BuildCache.prune", () => {
  it("evicts the least recently used entry and removes only the blobs nothing else needs", async () => {
    const { a, b, c, total } = await threeServices();

    const result = await cache.prune({ maxBytes: total - 1, layout });

    // b is least recently used: a was used again after it, c is the last build of its service.
    expect(result.evicted).toEqual([{ key: b.entry.key, service: "b", lastUsed: Date.UTC(2025, 0, 1) }]);
    expect(await cache.get(b.entry.key)).toBeUndefined();
    expect(await present(b.own)).toEqual(b.own.map(() => false));
    expect(await present([...a.own, ...c.own, base.blob.descriptor.digest])).toEqual(
      [...a.own, ...c.own, base].map(() => true),
    );
    expect(result).toMatchObject({
      blobsRemoved: b.own.length,
      bytesFreed: sizeOf(b, b.own),
      bytesAfter: total - sizeOf(b, b.own),
    });
    expect(await readCacheBytes(cache.dir)).toBe(result.bytesAfter);
  });

  it("keeps a service's last build longest, and blobs a tag reaches even when every entry is gone", async () => {
    const { a, b, c } = await threeServices();

    const result = await cache.prune({ maxBytes: 0, layout });

    expect(result.evicted.map((e) => e.service)).toEqual(["b", "a", "c"]);
    expect((await cache.info()).entries).toBe(0);
    // c is tagged: its blobs, the shared base among them, stay; a's and b's own blobs go.
    expect(await present([...c.own, base.blob.descriptor.digest])).toEqual([...c.own, base].map(() => true));
    expect(await present([...a.own, ...b.own])).toEqual([...a.own, ...b.own].map(() => false));
    expect(result).toMatchObject({
      blobsRemoved: a.own.length + b.own.length,
      bytesFreed: sizeOf(a, a.own) + sizeOf(b, b.own),
      bytesAfter: 0,
    });
    expect(await readCacheBytes(cache.dir)).toBe(0);
  });

  it("reports in a dry run exactly what a real run then does, changing nothing", async () => {
    await threeServices();
    const entriesDir = path.join(cache.dir, "entries");
    const before = { entries: await readdir(entriesDir), blobs: await layout.listBlobs() };

    const dry = await cache.prune({ maxBytes: 0, layout, dryRun: true });
    expect({ entries: await readdir(entriesDir), blobs: await layout.listBlobs() }).toEqual(before);

    expect(await cache.prune({ maxBytes: 0, layout })).toEqual(dry);
  });

  it("removes blobs of images that no entry references and no tag reaches, with nothing to evict", async () => {
    const orphan = await build("orphan");
    await rm(path.join(cache.dir, "entries", `${orphan.entry.key.slice("sha256:".length)}.json`));
    const kept = await build("kept");

    const result = await cache.prune({ maxBytes: Number.MAX_SAFE_INTEGER, layout });

    expect(result.evicted).toEqual([]);
    expect(await present(orphan.own)).toEqual(orphan.own.map(() => false));
    expect(await present(kept.entry.blobs.map((b) => b.digest))).toEqual(kept.entry.blobs.map(() => true));
  });

  it("removes corrupt entry files and leaves files that are not entries alone", async () => {
    const good = await build("good");
    const entriesDir = path.join(cache.dir, "entries");
    const corrupt = `${"ab".repeat(32)}.json`;
    await writeFile(path.join(entriesDir, corrupt), "{ torn");
    await writeFile(path.join(entriesDir, "notes.txt"), "mine");

    const result = await cache.prune({ maxBytes: Number.MAX_SAFE_INTEGER, layout });

    expect(result.evicted).toEqual([]);
    expect((await readdir(entriesDir)).sort()).toEqual(
      [`${good.entry.key.slice("sha256:".length)}.json`, "notes.txt"].sort(),
    );
  });
});
