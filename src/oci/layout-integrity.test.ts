import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobFile, flipByte } from "../../test/support/damage.js";
import { sampleImageSet } from "../../test/support/sample-image.js";
import { UserError } from "../errors/errors.js";
import { blobFromBytes } from "./blob.js";
import { sha256Digest } from "./digest.js";
import { openLayout } from "./layout.js";
import { checkLayout } from "./layout-check.js";
import { type Descriptor, type ImageSet, MediaType } from "./types.js";

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-integrity-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** The app layer of the first image: a blob only that image needs. */
const appLayer = (set: ImageSet): Descriptor => set.images[0]!.layers[1]!.blob.descriptor;

async function written(tag = "api") {
  const set = await sampleImageSet();
  const store = await openLayout(temp, { create: true });
  await store.writeImageSet(set);
  await store.tag({ [tag]: set.top });
  return { set, store };
}

/** Everything a stream gives, or the error it ends with and how many bytes came before it. */
async function drain(stream: NodeJS.ReadableStream): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
  } catch (error) {
    return { bytes, error };
  }
  return { bytes };
}

describe("writing over a blob that is already there", () => {
  it("rewrites a blob of the right size whose content does not hash to its name", async () => {
    const { set, store } = await written();
    const layer = appLayer(set);
    await flipByte(blobFile(temp, layer.digest));
    // A fresh store, as a new `dray build` opens: nothing is remembered from the first write.
    await (await openLayout(temp)).writeImageSet(set);
    expect(sha256Digest(await readFile(blobFile(temp, layer.digest)))).toBe(layer.digest);
    expect((await store.checkBlob(layer.digest)).state).toBe("ok");
  });

  it("keeps an intact blob without reading what the image would write", async () => {
    const { set } = await written();
    const store = await openLayout(temp);
    const layer = appLayer(set);
    const before = (await stat(blobFile(temp, layer.digest))).mtimeMs;
    let asked = false;
    await store.writeBlob({
      descriptor: layer,
      bytes: async () => {
        asked = true;
        throw new Error("not needed");
      },
    });
    expect(asked).toBe(false);
    expect((await stat(blobFile(temp, layer.digest))).mtimeMs).toBe(before);
  });
});

describe("openBlob", () => {
  it("streams an intact blob whole", async () => {
    const { set, store } = await written();
    const layer = appLayer(set);
    expect(await drain(store.openBlob(layer))).toEqual({ bytes: layer.size });
  });

  it.each([
    { damage: "a flipped byte", fault: /is corrupted: its content hashes to sha256:/, apply: flipByte },
    { damage: "a deleted file", fault: /is missing from the image layout/, apply: unlink },
    {
      damage: "extra bytes",
      fault: /has more than \d+ bytes/,
      apply: async (file: string) => writeFile(file, Buffer.concat([await readFile(file), Buffer.from("x")])),
    },
  ])("fails on $damage naming the blob, before passing on all of it", async ({ fault, apply }) => {
    const { set, store } = await written();
    const layer = appLayer(set);
    await apply(blobFile(temp, layer.digest));
    const { bytes, error } = await drain(store.openBlob(layer));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(layer.digest);
    expect((error as UserError).message).toMatch(fault);
    expect(bytes).toBeLessThan(layer.size);
  });
});

describe("checkLayout", () => {
  it("finds nothing wrong in an intact layout", async () => {
    const { set, store } = await written();
    const check = await checkLayout(store);
    // A shared layer, two app layers, two configs, two manifests and the index.
    expect(check).toMatchObject({ blobs: 8, tags: 1, brokenTags: [], corrupt: new Map() });
    expect(check.bytes).toBeGreaterThan(set.top.size);
  });

  it("names a corrupted blob and every tag whose image needs it", async () => {
    const { set, store } = await written();
    await store.tag({ "api.linux-amd64": set.images[0]!.manifest.descriptor });
    await store.tag({ "api.linux-arm64": set.images[1]!.manifest.descriptor });
    const layer = appLayer(set);
    await flipByte(blobFile(temp, layer.digest));
    const check = await checkLayout(store);
    expect([...check.corrupt.keys()]).toEqual([layer.digest]);
    expect(check.brokenTags.map((b) => [b.tag, b.blob, b.fault])).toEqual([
      ["api", layer.digest, "corrupt"],
      ["api.linux-amd64", layer.digest, "corrupt"],
    ]);
  });

  it("names a tag whose image lacks a blob, or has a manifest that does not parse", async () => {
    const { set, store } = await written();
    const notJson = blobFromBytes(MediaType.manifest, Buffer.from("not json"));
    await store.writeBlob(notJson);
    await store.tag({ junk: notJson.descriptor });
    await unlink(blobFile(temp, appLayer(set).digest));
    const check = await checkLayout(store);
    expect(check.corrupt.size).toBe(0);
    expect(check.brokenTags.map((b) => [b.tag, b.blob, b.fault])).toEqual([
      ["api", appLayer(set).digest, "missing"],
      ["junk", notJson.descriptor.digest, "unparsable"],
    ]);
  });

  it("reports an index.json that does not parse instead of failing", async () => {
    const { store } = await written();
    await writeFile(path.join(temp, "index.json"), "{ torn");
    const check = await checkLayout(store);
    expect(check.unreadableIndex).toMatch(/JSON/);
    expect(check.brokenTags).toEqual([]);
  });
});

describe("repairs", () => {
  it("untag removes only the named tags", async () => {
    const { set, store } = await written();
    await store.tag({ web: set.top });
    await store.untag(["api", "nothing"]);
    expect(Object.keys(await store.listTags())).toEqual(["web"]);
  });

  it("resetIndex replaces an index.json that does not parse, and only such a one", async () => {
    const { store } = await written();
    expect(await store.resetIndex()).toBe(false);
    expect(Object.keys(await store.listTags())).toEqual(["api"]);
    await writeFile(path.join(temp, "index.json"), "[");
    await expect(store.listTags()).rejects.toThrow(/not a valid image index/);
    expect(await store.resetIndex()).toBe(true);
    expect(await store.listTags()).toEqual({});
  });

  it("removeCorruptBlobs removes a blob only while it is still corrupted", async () => {
    const { set, store } = await written();
    const [layer, config] = [appLayer(set), set.images[0]!.config.descriptor];
    await flipByte(blobFile(temp, layer.digest));
    await flipByte(blobFile(temp, config.digest));
    // Rewritten correctly by someone else since it was found broken:
    await writeFile(blobFile(temp, config.digest), await set.images[0]!.config.bytes());
    expect(await store.removeCorruptBlobs([layer.digest, config.digest])).toEqual([layer.digest]);
    expect(await store.blobSize(layer.digest)).toBeUndefined();
    expect((await store.checkBlob(config.digest)).state).toBe("ok");
  });
});
