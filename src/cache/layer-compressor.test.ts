import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLayer, type Descriptor, type LayoutStore, MediaType, openLayout } from "../oci/index.js";
import { layerCompressor, readRecord } from "./layer-compressor.js";

let temp: string;
let layout: LayoutStore;
let tar: Descriptor;
let tarBytes: Buffer;
const records = () => path.join(temp, "records");
const compressor = () => layerCompressor({ layout, records: records(), scratch: path.join(temp, "scratch") });
const nowhere = () => Promise.resolve(false);

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-compressor-"));
  layout = await openLayout(path.join(temp, "oci"), { create: true });
  const data = Buffer.from("a binary, more or less\n".repeat(4000));
  const layer = await createLayer([{ path: "app/bin", type: "file", mode: 0o755, data }], {
    mtime: 0,
    uid: 0,
    gid: 0,
    comment: "app",
    compression: "none",
  });
  await layout.writeBlob(layer.blob);
  tar = layer.blob.descriptor;
  tarBytes = await layer.blob.bytes();
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

describe("layerCompressor", () => {
  it("gzips a layer into the layout once, records it, and reuses the record afterwards", async () => {
    const first = await compressor().compressed(tar, nowhere);
    expect(first.how).toBe("compressed");
    expect(first.descriptor.mediaType).toBe(MediaType.layerGzip);
    expect(gunzipSync(await layout.readBlob(first.descriptor.digest)).equals(tarBytes)).toBe(true);
    expect(await readRecord(records(), tar.digest)).toMatchObject({
      ...first.descriptor,
      diffId: tar.digest,
    });
    const again = await compressor().compressed(tar, nowhere);
    expect(again).toEqual({ descriptor: first.descriptor, how: "reused" });
  });

  it("compresses a layer once when two images ask for it at the same time", async () => {
    const one = compressor();
    const both = await Promise.all([one.compressed(tar, nowhere), one.compressed(tar, nowhere)]);
    expect(both.map((b) => b.how).sort()).toEqual(["compressed", "reused"]);
    expect(both[0]!.descriptor).toEqual(both[1]!.descriptor);
  });

  it("compresses again when the recorded blob's bytes changed, and repairs the blob", async () => {
    const first = await compressor().compressed(tar, nowhere);
    const file = path.join(layout.root, "blobs", "sha256", first.descriptor.digest.slice(7));
    await writeFile(file, Buffer.alloc(first.descriptor.size, 1));
    const again = await compressor().compressed(tar, nowhere);
    expect(again).toEqual({ descriptor: first.descriptor, how: "compressed" });
    expect((await layout.checkBlob(first.descriptor.digest)).state).toBe("ok");
    expect(await readFile(file)).not.toEqual(Buffer.alloc(first.descriptor.size, 1));
  });

  it("reads nothing when the registry has the recorded blob", async () => {
    const first = await compressor().compressed(tar, nowhere);
    await rm(path.join(layout.root, "blobs", "sha256", first.descriptor.digest.slice(7)));
    const asked: string[] = [];
    const remote = await compressor().compressed(tar, (digest) => {
      asked.push(digest);
      return Promise.resolve(true);
    });
    expect(remote).toEqual({ descriptor: first.descriptor, how: "remote" });
    expect(asked).toEqual([first.descriptor.digest]);
  });

  it("ignores a record made by another compressor", async () => {
    const first = await compressor().compressed(tar, nowhere);
    const file = path.join(records(), `${tar.digest.slice(7)}.json`);
    const record = JSON.parse(await readFile(file, "utf8"));
    await writeFile(file, JSON.stringify({ ...record, compressor: "gzip zlib level 1" }));
    expect(await readRecord(records(), tar.digest)).toBeUndefined();
    const asked: string[] = [];
    const again = await compressor().compressed(tar, (digest) => {
      asked.push(digest);
      return Promise.resolve(true);
    });
    expect(again.how).toBe("compressed");
    expect(asked).toEqual([]);
    expect(again.descriptor).toEqual(first.descriptor);
  });
});
