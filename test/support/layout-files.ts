/**
 * TEST HELPER: reading an OCI image layout from the outside, with no dray code: what its tags point
 * at, each platform's image ID and layers, the files in an image, and which blobs contain a string.
 */
import { createReadStream } from "node:fs";
import { open, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

/** One platform's image under a tag. */
export interface PlatformImage {
  platform: string;
  imageId: string;
  manifest: string;
  layers: Descriptor[];
}

const blobPath = (layout: string, digest: string) => path.join(layout, "blobs", "sha256", digest.slice(7));
const readJson = async <T>(file: string) => JSON.parse(await readFile(file, "utf8")) as T;

/** tag → descriptor, from index.json. */
export async function layoutTags(layout: string): Promise<Record<string, Descriptor>> {
  const index = await readJson<{ manifests: Descriptor[] }>(path.join(layout, "index.json"));
  return Object.fromEntries(
    index.manifests.map((d) => [d.annotations?.["org.opencontainers.image.ref.name"] ?? d.digest, d]),
  );
}

/** The images a tag reaches, one per platform (an index's entries, or the one manifest). */
export async function tagImages(layout: string, tag: string): Promise<PlatformImage[]> {
  const top = (await layoutTags(layout))[tag];
  if (!top) throw new Error(`tag ${tag} is not in ${layout}`);
  const manifests = top.mediaType.includes("index")
    ? (await readJson<{ manifests: Descriptor[] }>(blobPath(layout, top.digest))).manifests
    : [top];
  const out: PlatformImage[] = [];
  for (const m of manifests) {
    const doc = await readJson<{ config: Descriptor; layers: Descriptor[] }>(blobPath(layout, m.digest));
    const config = await readJson<{ os: string; architecture: string; variant?: string }>(
      blobPath(layout, doc.config.digest),
    );
    const platform = [config.os, config.architecture, config.variant].filter(Boolean).join("/");
    out.push({ platform, imageId: doc.config.digest, manifest: m.digest, layers: doc.layers });
  }
  return out;
}

/** "service platform" → image ID for every tag named in `services`, as the layout's tags say now. */
export async function layoutImageIds(
  layout: string,
  services: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const service of services)
    for (const image of await tagImages(layout, service)) out[`${service} ${image.platform}`] = image.imageId;
  return out;
}

/** Every regular file of an image's layers, by path (later layers win), read from the layout. */
export async function imageFiles(layout: string, image: PlatformImage): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const layer of image.layers) {
    const raw = createReadStream(blobPath(layout, layer.digest));
    const tar = layer.mediaType.includes("gzip") ? raw.pipe(createGunzip()) : raw;
    const reader = extract();
    reader.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on("end", () => {
        if (header.type === "file") files.set(header.name.replace(/^\.?\//, ""), Buffer.concat(chunks));
        next();
      });
    });
    await new Promise<void>((resolve, reject) => {
      reader.on("finish", resolve);
      reader.on("error", reject);
      tar.on("error", reject);
      tar.pipe(reader);
    });
  }
  return files;
}

/** Blobs of the layout (except `skip`) whose bytes — decompressed, for gzip blobs — contain `marker`. */
export async function blobsContaining(
  layout: string,
  marker: string,
  skip: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const dir = path.join(layout, "blobs", "sha256");
  const found: string[] = [];
  const needle = Buffer.from(marker);
  for (const name of await readdir(dir).catch(() => [])) {
    if (skip.has(name) || !/^[0-9a-f]{64}$/.test(name)) continue;
    const file = path.join(dir, name);
    const first = Buffer.alloc(2);
    const handle = await open(file);
    await handle.read(first, 0, 2, 0).finally(() => handle.close());
    const raw = createReadStream(file);
    const stream: Readable = first[0] === 0x1f && first[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
    let tail = Buffer.alloc(0);
    let hit = false;
    try {
      for await (const chunk of stream) {
        const window = Buffer.concat([tail, chunk as Buffer]);
        if (window.includes(needle)) {
          hit = true;
          break;
        }
        tail = window.subarray(Math.max(0, window.length - needle.length + 1));
      }
    } catch {
      // A blob that does not decompress is the consistency check's business, not this search's.
    }
    raw.destroy();
    if (hit) found.push(`sha256:${name}`);
  }
  return found;
}

/** Entry names of every layer blob (gzip or plain tar) in the layout except `skip`, by blob digest. */
export async function layerEntryNames(
  layout: string,
  skip: ReadonlySet<string> = new Set(),
): Promise<Map<string, string[]>> {
  const dir = path.join(layout, "blobs", "sha256");
  const out = new Map<string, string[]>();
  for (const name of await readdir(dir).catch(() => [])) {
    if (skip.has(name) || !/^[0-9a-f]{64}$/.test(name)) continue;
    const file = path.join(dir, name);
    const first = Buffer.alloc(262);
    const handle = await open(file);
    const { bytesRead } = await handle.read(first, 0, first.length, 0).finally(() => handle.close());
    const gzip = first[0] === 0x1f && first[1] === 0x8b;
    // A tar header has "ustar" at offset 257; anything else (JSON documents) is not a layer.
    if (!gzip && !(bytesRead >= 262 && first.subarray(257, 262).toString() === "ustar")) continue;
    const names: string[] = [];
    const reader = extract();
    reader.on("entry", (header, stream, next) => {
      names.push(header.name);
      stream.on("end", next);
      stream.resume();
    });
    const raw = createReadStream(file);
    const tar = gzip ? raw.pipe(createGunzip()) : raw;
    await new Promise<void>((resolve) => {
      reader.on("finish", resolve);
      // Not a tar after all, or a broken one: the consistency check reports broken blobs.
      reader.on("error", () => resolve());
      tar.on("error", () => resolve());
      tar.pipe(reader);
    });
    if (names.length > 0) out.set(`sha256:${name}`, names);
  }
  return out;
}
