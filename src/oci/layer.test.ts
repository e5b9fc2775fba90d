import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { digestHex, sha256Digest } from "./digest.js";
import { gzipDeterministic } from "./gzip.js";
import { createLayer, packLayer } from "./layer.js";
import { openLayout } from "./layout.js";
import { isPackedBlob, type PackedBlob } from "./packed-blob.js";
import { type TarEntry, writeTar } from "./tar.js";
import type { Layer } from "./types.js";

const OPTIONS = { mtime: 0, uid: 0, gid: 0, comment: "dray: app" };

let temp: string;
let scratch: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-layer-"));
  scratch = path.join(temp, "scratch");
  await mkdir(scratch);
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** The same entries twice: contents in files on disk, and in memory. */
async function entries(): Promise<{ streamed: TarEntry[]; inMemory: TarEntry[] }> {
  const files = {
    "app/bin": randomBytes(300_000),
    "app/conf": Buffer.from("x=1\n"),
    "app/empty": Buffer.alloc(0),
  };
  const streamed: TarEntry[] = [{ path: "app/link", type: "symlink", linkTarget: "bin" }];
  const inMemory: TarEntry[] = [{ path: "app/link", type: "symlink", linkTarget: "bin" }];
  for (const [name, data] of Object.entries(files)) {
    const host = path.join(temp, name.replace("/", "-"));
    await writeFile(host, data);
    streamed.push({ path: name, type: "file", mode: 0o755, source: { path: host, size: data.length } });
    inMemory.push({ path: name, type: "file", mode: 0o755, data });
  }
  return { streamed, inMemory };
}

function summary(layer: Layer) {
  return { descriptor: layer.blob.descriptor, diffId: layer.diffId, size: layer.uncompressedSize };
}

describe("packLayer", () => {
  it("streams into a file, uncompressed, exactly the layer createLayer builds in memory", async () => {
    const { streamed, inMemory } = await entries();
    const packed = await packLayer(streamed, OPTIONS, scratch);
    const held = await createLayer(inMemory, { ...OPTIONS, compression: "none" });
    expect(summary(packed)).toEqual(summary(held));
    expect(packed.comment).toBe("dray: app");
    expect(isPackedBlob(packed.blob)).toBe(true);
    const onDisk = await readFile((packed.blob as PackedBlob).path);
    expect(onDisk.equals(writeTar(inMemory, OPTIONS))).toBe(true);
    expect(packed.blob.descriptor).toEqual({
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: packed.diffId,
      size: packed.uncompressedSize,
    });
  });

  it("has the diff_id of the same layer gzipped: the identity does not depend on compression", async () => {
    const { streamed, inMemory } = await entries();
    const packed = await packLayer(streamed, OPTIONS, scratch);
    const gzipped = await createLayer(inMemory, OPTIONS);
    expect(gzipped.blob.descriptor.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    expect(packed.diffId).toBe(gzipped.diffId);
    const tar = gunzipSync(gzipDeterministic(writeTar(inMemory, OPTIONS)));
    expect(sha256Digest(tar)).toBe(packed.diffId);
  });

  it("leaves nothing in the scratch directory when a file cannot be read", async () => {
    const { streamed } = await entries();
    await rm(streamed[1]!.source!.path);
    await expect(packLayer(streamed, OPTIONS, scratch)).rejects.toThrow(UserError);
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe("a packed layer in the layout", () => {
  it("is renamed into place, not copied, and reads back verified", async () => {
    const { streamed } = await entries();
    const layer = await packLayer(streamed, OPTIONS, scratch);
    const store = await openLayout(path.join(temp, "oci"), { create: true });
    await store.writeBlob(layer.blob);
    const target = path.join(temp, "oci", "blobs", "sha256", digestHex(layer.blob.descriptor.digest));
    expect(isPackedBlob(layer.blob) && layer.blob.path).toBe(target);
    expect(await readdir(scratch)).toEqual([]);
    const stored = await store.readBlob(layer.blob.descriptor.digest);
    expect(sha256Digest(stored)).toBe(layer.blob.descriptor.digest);
    expect((await layer.blob.bytes()).equals(stored)).toBe(true);
  });

  it("replaces a damaged file of the same name and size", async () => {
    const { streamed } = await entries();
    const layer = await packLayer(streamed, OPTIONS, scratch);
    const store = await openLayout(path.join(temp, "oci"), { create: true });
    const target = path.join(temp, "oci", "blobs", "sha256", digestHex(layer.blob.descriptor.digest));
    await writeFile(target, Buffer.alloc(layer.blob.descriptor.size));
    await store.writeBlob(layer.blob);
    expect(sha256Digest(await readFile(target))).toBe(layer.blob.descriptor.digest);
  });

  it("is copied, not taken away, when written to a second layout", async () => {
    const { streamed } = await entries();
    const layer = await packLayer(streamed, OPTIONS, scratch);
    const first = await openLayout(path.join(temp, "one"), { create: true });
    const second = await openLayout(path.join(temp, "two"), { create: true });
    await first.writeBlob(layer.blob);
    await second.writeBlob(layer.blob);
    for (const store of [first, second]) {
      expect(sha256Digest(await store.readBlob(layer.blob.descriptor.digest))).toBe(
        layer.blob.descriptor.digest,
      );
    }
  });
});
