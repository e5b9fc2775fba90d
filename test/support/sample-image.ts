/**
 * Small images for registry tests, built with dray's own OCI functions: every platform has the same
 * "shared" layer (so a multi-platform push must deduplicate it) and its own "app" layer.
 */
import { createHash } from "node:crypto";
import { assembleImage, assembleImageSet } from "../../src/oci/image.js";
import { createLayer } from "../../src/oci/layer.js";
import { type LayoutStore, openLayout } from "../../src/oci/layout.js";
import type { TarEntry } from "../../src/oci/tar.js";
import type { Digest, ImageSet, Layer, Platform } from "../../src/oci/types.js";

/** linux/amd64 and linux/arm64/v8. */
export const AMD64: Platform = { os: "linux", architecture: "amd64" };
export const ARM64: Platform = { os: "linux", architecture: "arm64", variant: "v8" };

/** What a sample image is made of. */
export interface SampleOptions {
  platforms?: Platform[];
  /** Content of the app layer; change it to change one layer only. */
  app?: string;
  /** Content of the shared layer. */
  shared?: string;
  /** Extra layers' entries, e.g. a binary; stacked after the app layer. */
  extra?: TarEntry[][];
  entrypoint?: string[];
}

const TAR = { mtime: 0, uid: 0, gid: 0 };

/** Builds the set (pure, in memory). */
export async function sampleImageSet(options: SampleOptions = {}): Promise<ImageSet> {
  const shared = await createLayer(
    [{ path: "etc/shared.txt", type: "file", data: Buffer.from(options.shared ?? "shared\n") }],
    { ...TAR, comment: "shared" },
  );
  const extra: Layer[] = [];
  for (const entries of options.extra ?? [])
    extra.push(await createLayer(entries, { ...TAR, comment: "extra" }));
  const images = [];
  for (const platform of options.platforms ?? [AMD64, ARM64]) {
    const app = await createLayer(
      [
        {
          path: "app/hello.txt",
          type: "file",
          data: Buffer.from(`${options.app ?? "hello"} ${platform.architecture}\n`),
        },
      ],
      { ...TAR, comment: "app" },
    );
    images.push(
      assembleImage({
        platform,
        layers: [shared, app, ...extra],
        config: { Entrypoint: options.entrypoint ?? ["/app/hello"] },
        created: 0,
      }),
    );
  }
  return assembleImageSet(images);
}

/** Builds the set and writes it into the layout at `dir` (created if needed), tagged `tag`. */
export async function writeSampleImage(
  dir: string,
  options: SampleOptions & { tag?: string } = {},
): Promise<{ store: LayoutStore; set: ImageSet }> {
  const set = await sampleImageSet(options);
  const store = await openLayout(dir, { create: true });
  await store.writeImageSet(set);
  await store.tag({ [options.tag ?? "sample"]: set.top });
  return { store, set };
}

/** Every distinct blob of the set (layers, configs, manifests, index) with its size. */
export function setBlobs(set: ImageSet): Map<Digest, number> {
  const out = new Map<Digest, number>();
  for (const image of set.images) {
    for (const blob of [...image.layers.map((l) => l.blob), image.config, image.manifest]) {
      out.set(blob.descriptor.digest, blob.descriptor.size);
    }
  }
  if (set.index) out.set(set.index.descriptor.digest, set.index.descriptor.size);
  return out;
}

/** `size` bytes that do not compress, the same for the same seed: a layer that chunked uploads must split. */
export function noise(seed: string, size: number): Buffer {
  const parts: Buffer[] = [];
  let block = createHash("sha256").update(seed).digest();
  for (let length = 0; length < size; length += block.length) {
    parts.push(block);
    block = createHash("sha256").update(block).digest();
  }
  return Buffer.concat(parts).subarray(0, size);
}
