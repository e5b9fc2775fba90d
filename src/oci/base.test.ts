import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { readBaseFromLayout } from "./base.js";
import { blobFromBytes } from "./blob.js";
import { canonicalJson } from "./canonical-json.js";
import { digestHex } from "./digest.js";
import { assembleImage, assembleImageSet } from "./image.js";
import { createLayer } from "./layer.js";
import { openLayout } from "./layout.js";
import { type Image, type ImageConfigFile, MediaType, type Platform } from "./types.js";

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-base-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64", variant: "v8" };
const TAR = { mtime: 0, uid: 0, gid: 0 };

/** A two-layer "distro" image per platform, written with dray's own writer and tagged base:1. */
async function writeBase(): Promise<Image[]> {
  const images: Image[] = [];
  for (const platform of [AMD64, ARM64]) {
    const layers = [
      await createLayer(
        [{ path: "etc/os-release", type: "file", data: Buffer.from(`ID=test-${platform.architecture}\n`) }],
        {
          ...TAR,
          comment: "distro files",
        },
      ),
      await createLayer([{ path: "bin/sh", type: "file", mode: 0o755, data: Buffer.from("#!") }], {
        ...TAR,
        comment: "shell",
      }),
    ];
    images.push(
      assembleImage({
        platform,
        layers,
        config: { Env: ["PATH=/bin"], Cmd: ["/bin/sh"] },
        created: 1_600_000_000,
      }),
    );
  }
  const set = assembleImageSet(images);
  const store = await openLayout(temp, { create: true });
  await store.writeImageSet(set);
  await store.tag({ "base:1": set.top });
  return images;
}

describe("readBaseFromLayout", () => {
  it("reads the platform's image from a multi-platform tag and stacks an image on it", async () => {
    const written = await writeBase();
    const arm = written.find((image) => image.platform.architecture === "arm64")!;
    const base = await readBaseFromLayout(temp, "base:1", ARM64);

    expect(base.manifestDigest).toBe(arm.manifest.descriptor.digest);
    expect(base.platform).toEqual(ARM64);
    expect(base.layers.map((l) => l.diffId)).toEqual(arm.layers.map((l) => l.diffId));
    expect(base.layers.map((l) => l.blob.descriptor.digest)).toEqual(
      arm.layers.map((l) => l.blob.descriptor.digest),
    );
    expect(await base.layers[1]!.blob.bytes()).toEqual(await arm.layers[1]!.blob.bytes());

    const app = await createLayer(
      [{ path: "app/api", type: "file", mode: 0o755, data: Buffer.from("ELF") }],
      {
        ...TAR,
        comment: "dray: api",
      },
    );
    const image = assembleImage({
      platform: ARM64,
      base,
      layers: [app],
      config: { Entrypoint: ["/app/api"] },
      created: 0,
    });
    const config = JSON.parse((await image.config.bytes()).toString()) as ImageConfigFile;
    expect(config.rootfs.diff_ids).toEqual([...arm.layers.map((l) => l.diffId), app.diffId]);
    expect(config.history?.map((h) => h.created_by)).toEqual(["distro files", "shell", "dray: api"]);
    expect(config.history?.[0]?.created).toBe("2020-09-13T12:26:40Z"); // the base's own history is kept
    expect(config.config).toEqual({ Entrypoint: ["/app/api"], Env: ["PATH=/bin"] });
    const manifest = JSON.parse((await image.manifest.bytes()).toString());
    expect(manifest.annotations["org.opencontainers.image.base.digest"]).toBe(arm.manifest.descriptor.digest);

    // A sink can copy the image into another layout: base blobs come from the base layout.
    const out = await openLayout(path.join(temp, "out"), { create: true });
    await out.writeImageSet(assembleImageSet([image]));
    expect(await out.hasBlob(base.layers[0]!.blob.descriptor.digest)).toBe(true);
  });

  it("reads layers lazily and verifies them when they are read", async () => {
    await writeBase();
    const base = await readBaseFromLayout(temp, "base:1", AMD64);
    const layer = base.layers[0]!.blob;
    await writeFile(path.join(temp, "blobs", "sha256", digestHex(layer.descriptor.digest)), "tampered");
    await expect(layer.bytes()).rejects.toThrow(/corrupted/);
  });

  it.each([
    { ref: "base:2", platform: AMD64, message: "no image tagged", details: "base:1" },
    {
      ref: "base:1",
      platform: { os: "windows", architecture: "amd64" },
      message: "no image for windows/amd64",
      details: "linux/arm64/v8",
    },
  ])("explains a missing $ref / $platform.os", async ({ ref, platform, message, details }) => {
    await writeBase();
    const error = await readBaseFromLayout(temp, ref, platform).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(message);
    expect((error as UserError).details).toContain(details);
  });

  it("re-describes a Docker v2 base with OCI media types", async () => {
    const layer = await createLayer([{ path: "etc/hostname", type: "file" }], { ...TAR, comment: "x" });
    const gz = await layer.blob.bytes();
    const dockerLayer = blobFromBytes(MediaType.dockerLayerGzip, gz);
    const config = blobFromBytes(
      MediaType.dockerConfig,
      Buffer.from(
        canonicalJson({
          architecture: "amd64",
          os: "linux",
          config: { Hostname: "build-box", Env: ["A=1"] },
          rootfs: { type: "layers", diff_ids: [layer.diffId] },
        }),
      ),
    );
    const manifest = blobFromBytes(
      MediaType.dockerManifest,
      Buffer.from(
        canonicalJson({
          schemaVersion: 2,
          mediaType: MediaType.dockerManifest,
          config: config.descriptor,
          layers: [dockerLayer.descriptor],
        }),
      ),
    );
    const store = await openLayout(temp, { create: true });
    for (const blob of [dockerLayer, config, manifest]) await store.writeBlob(blob);
    await store.tag({ "docker:1": manifest.descriptor });

    const base = await readBaseFromLayout(temp, "docker:1", AMD64);
    expect(base.layers[0]!.blob.descriptor).toEqual({
      mediaType: MediaType.layerGzip,
      digest: dockerLayer.descriptor.digest,
      size: dockerLayer.descriptor.size,
    });
    const image = assembleImage({ platform: AMD64, base, layers: [], config: {}, created: 0 });
    const written = JSON.parse((await image.manifest.bytes()).toString());
    expect(written.layers[0].mediaType).toBe(MediaType.layerGzip);
    // Docker-only fields of the base's runtime config (Hostname) do not reach our config.
    expect(JSON.parse((await image.config.bytes()).toString()).config).toEqual({ Env: ["A=1"] });
  });
});
