import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { digestHex } from "./digest.js";
import { assembleImage, assembleImageSet } from "./image.js";
import { createLayer } from "./layer.js";
import { type LayoutStore, openLayout } from "./layout.js";
import type { Descriptor, Digest, ImageSet, Platform } from "./types.js";

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-layout-gc-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64" };

async function imageSet(platforms: Platform[], content: string): Promise<ImageSet> {
  const images = [];
  for (const platform of platforms) {
    const data = Buffer.from(`${content} ${platform.architecture}\n`);
    const layer = await createLayer([{ path: "app/bin", type: "file", mode: 0o755, data }], {
      mtime: 0,
      uid: 0,
      gid: 0,
      comment: "dray: app",
    });
    images.push(assembleImage({ platform, layers: [layer], config: {}, created: 0 }));
  }
  return assembleImageSet(images);
}

/** Every blob a set writes, with sizes. */
function blobsOf(set: ImageSet): { digest: Digest; size: number }[] {
  const descriptors = [
    ...set.images.flatMap((image) => [
      image.config.descriptor,
      image.manifest.descriptor,
      ...image.layers.map((l) => l.blob.descriptor),
    ]),
    ...(set.index ? [set.index.descriptor] : []),
  ];
  return descriptors.map(({ digest, size }) => ({ digest, size }));
}

const digests = (set: ImageSet) => blobsOf(set).map((b) => b.digest);
const bytes = (set: ImageSet) => blobsOf(set).reduce((sum, b) => sum + b.size, 0);

async function present(store: LayoutStore, set: ImageSet): Promise<boolean[]> {
  return Promise.all(digests(set).map((d) => store.hasBlob(d)));
}

describe("LayoutStore.listBlobs", () => {
  it("lists every blob with its size and ignores temp files and foreign names", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64, ARM64], "v1");
    await store.writeImageSet(set);
    await writeFile(path.join(temp, "blobs", "sha256", ".dray-tmp-1-abc"), "partial");
    await writeFile(path.join(temp, "blobs", "sha256", "README"), "not a blob");
    const expected = blobsOf(set).sort((a, b) => (a.digest < b.digest ? -1 : 1));
    expect(await store.listBlobs()).toEqual(expected);
  });
});

describe("LayoutStore.removeBlobs", () => {
  it.each([
    {
      description: "removes untagged images entirely",
      tags: (_a: ImageSet, _b: ImageSet): Record<string, Descriptor> => ({}),
      survive: { a: false, b: false },
    },
    {
      description: "keeps every blob a multi-platform index tag reaches",
      tags: (a: ImageSet) => ({ api: a.top }),
      survive: { a: true, b: false },
    },
    {
      description: "keeps the images of several tags",
      tags: (a: ImageSet, b: ImageSet) => ({ "api:v1": a.top, "api:latest": b.top }),
      survive: { a: true, b: true },
    },
  ])("$description", async ({ tags, survive }) => {
    const store = await openLayout(temp, { create: true });
    const a = await imageSet([AMD64, ARM64], "a");
    const b = await imageSet([AMD64], "b");
    await store.writeImageSet(a);
    await store.writeImageSet(b);
    const chosen = tags(a, b);
    if (Object.keys(chosen).length > 0) await store.tag(chosen);

    const freed = await store.removeBlobs([...digests(a), ...digests(b)]);

    expect(await present(store, a)).toEqual(digests(a).map(() => survive.a));
    expect(await present(store, b)).toEqual(digests(b).map(() => survive.b));
    expect(freed).toBe((survive.a ? 0 : bytes(a)) + (survive.b ? 0 : bytes(b)));
  });

  it("keeps only the platform a per-platform tag reaches", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64, ARM64], "v1");
    await store.writeImageSet(set);
    const [amd, arm] = set.images;
    await store.tag({ "api.linux-arm64": arm!.manifest.descriptor });
    await store.removeBlobs(digests(set));
    const has = (d: Digest) => store.hasBlob(d);
    expect(await has(arm!.manifest.descriptor.digest)).toBe(true);
    expect(await has(arm!.config.descriptor.digest)).toBe(true);
    expect(await has(arm!.layers[0]!.blob.descriptor.digest)).toBe(true);
    expect(await has(amd!.manifest.descriptor.digest)).toBe(false);
    expect(await has(amd!.layers[0]!.blob.descriptor.digest)).toBe(false);
    expect(await has(set.index!.descriptor.digest)).toBe(false);
  });

  it("treats an index.json entry without a ref name as a root", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64], "v1");
    await store.writeImageSet(set);
    const indexPath = path.join(temp, "index.json");
    const index = JSON.parse(await readFile(indexPath, "utf8"));
    index.manifests.push(set.top);
    await writeFile(indexPath, JSON.stringify(index));
    expect(await store.removeBlobs(digests(set))).toBe(0);
    expect(await present(store, set)).toEqual(digests(set).map(() => true));
  });

  it("removes the rest when a tag points at a missing manifest, and skips unknown or malformed digests", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64], "v1");
    await store.writeImageSet(set);
    await store.tag({ api: set.top });
    await rm(path.join(temp, "blobs", "sha256", digestHex(set.top.digest)));
    const freed = await store.removeBlobs([
      ...digests(set),
      `sha256:${"0".repeat(64)}`,
      "sha256:../../index.json" as Digest,
    ]);
    expect(freed).toBe(bytes(set) - set.top.size);
    expect(await store.listBlobs()).toEqual([]);
    expect(await readFile(path.join(temp, "index.json"), "utf8")).toContain(set.top.digest);
  });

  it("removes nothing when a tagged manifest is corrupted, since what it needs cannot be known", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64], "v1");
    await store.writeImageSet(set);
    await store.tag({ api: set.top });
    await writeFile(path.join(temp, "blobs", "sha256", digestHex(set.top.digest)), "{}");
    await expect(store.removeBlobs(digests(set))).rejects.toThrow(/corrupted/);
    expect((await store.listBlobs()).length).toBe(digests(set).length);
  });
});

describe("removeBlobs and tag() under the index lock", () => {
  it.each([
    { description: "a removal that starts first makes the tag fail", removeFirst: true },
    { description: "a tag that starts first protects its image", removeFirst: false },
  ])("$description", async ({ removeFirst }) => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64], "v1");
    await store.writeImageSet(set);
    const remove = () => store.removeBlobs(digests(set));
    const tag = () => store.tag({ api: set.top });
    const [first, second] = removeFirst
      ? await Promise.allSettled([remove(), tag()])
      : await Promise.allSettled([tag(), remove()]);
    const tagResult = removeFirst ? second : first;

    expect(tagResult.status).toBe(removeFirst ? "rejected" : "fulfilled");
    expect(await store.listTags()).toEqual(removeFirst ? {} : { api: set.top });
    expect(await present(store, set)).toEqual(digests(set).map(() => !removeFirst));
  });
});
