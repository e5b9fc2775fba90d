import { describe, expect, it } from "vitest";
import { distributionIndex, distributionManifest, uncompressedLayers } from "./distribution.js";
import { assembleImage, assembleImageSet, type BaseImage } from "./image.js";
import { createLayer } from "./layer.js";
import type { TarEntry } from "./tar.js";
import { type Descriptor, type Digest, type Image, type Layer, MediaType, type Platform } from "./types.js";

const TAR = { mtime: 0, uid: 0, gid: 0 };
const PLATFORMS: Platform[] = [
  { os: "linux", architecture: "amd64" },
  { os: "linux", architecture: "arm64" },
];
const APP: TarEntry[] = [
  { path: "app/hello", type: "file", mode: 0o755, data: Buffer.from("hi\n".repeat(500)) },
];

async function base(platform: Platform): Promise<BaseImage> {
  const layer = await createLayer([{ path: "etc/os-release", type: "file", data: Buffer.from("x\n") }], {
    ...TAR,
    comment: "base",
  });
  return {
    platform,
    config: { ...platform, rootfs: { type: "layers", diff_ids: [layer.diffId] } },
    layers: [layer],
    manifestDigest: `sha256:${"b".repeat(64)}`,
  };
}

/** The same service twice: its own layer stored as a plain tar, and gzipped. */
async function images(compression: "none" | "gzip"): Promise<Image[]> {
  const app: Layer = await createLayer(APP, { ...TAR, comment: "dray: app", compression });
  return Promise.all(
    PLATFORMS.map(async (platform) =>
      assembleImage({ platform, base: await base(platform), layers: [app], config: {}, created: 0 }),
    ),
  );
}

describe("distribution form", () => {
  it("is the image a build that gzipped its layers made: same config, same manifest and index bytes", async () => {
    const plain = await images("none");
    const gzipped = await images("gzip");
    const compressed = new Map<Digest, Descriptor>([
      [plain[0]!.layers[1]!.blob.descriptor.digest, gzipped[0]!.layers[1]!.blob.descriptor],
    ]);
    const manifests = new Map<Digest, Descriptor>();
    for (const [i, image] of plain.entries()) {
      expect(image.id).toBe(gzipped[i]!.id);
      expect(image.manifest.descriptor.digest).not.toBe(gzipped[i]!.manifest.descriptor.digest);
      const manifest = await image.manifest.bytes();
      expect(uncompressedLayers(JSON.parse(manifest.toString("utf8"))).map((l) => l.mediaType)).toEqual([
        MediaType.layerTar,
      ]);
      const form = distributionManifest(manifest, compressed, image.manifest.descriptor.platform);
      expect(form!.descriptor).toEqual(gzipped[i]!.manifest.descriptor);
      expect((await form!.bytes()).equals(await gzipped[i]!.manifest.bytes())).toBe(true);
      manifests.set(image.manifest.descriptor.digest, form!.descriptor);
    }
    const plainSet = assembleImageSet(plain);
    const gzipSet = assembleImageSet(gzipped);
    const index = distributionIndex(await plainSet.index!.bytes(), manifests);
    expect((await index!.bytes()).equals(await gzipSet.index!.bytes())).toBe(true);
  });

  it("leaves an image without uncompressed layers as it is", async () => {
    const gzipped = await images("gzip");
    expect(distributionManifest(await gzipped[0]!.manifest.bytes(), new Map())).toBeUndefined();
    const set = assembleImageSet(gzipped);
    expect(distributionIndex(await set.index!.bytes(), new Map())).toBeUndefined();
  });

  it("refuses to name a layer it has no compressed form of", async () => {
    const plain = await images("none");
    const bytes = await plain[0]!.manifest.bytes();
    expect(() => distributionManifest(bytes, new Map())).toThrow(/no compressed form/);
  });
});
