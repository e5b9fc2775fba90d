/**
 * TEST HELPER, independent of dray's own code: walks an image from a descriptor (index → manifests →
 * config and layers) over any content source (a layout's files, a registry's API) and lists every way
 * it is not a complete, correct image: a missing blob, a size or digest that does not match the
 * descriptor, a document that does not parse, a layer whose uncompressed digest is not the config's
 * diff_id.
 */
import { createHash } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/** What the walk needs of a store: a blob's bytes by digest, or undefined when it does not have it. */
export interface ContentSource {
  read(digest: string, as: "manifest" | "blob"): Promise<Buffer | undefined>;
}

/** A descriptor as the OCI image spec defines it (the fields the walk reads). */
export interface WalkDescriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);
const MANIFEST_TYPES = new Set([
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
]);

const CONFIG_TYPES = new Set([
  "application/vnd.oci.image.config.v1+json",
  "application/vnd.docker.container.image.v1+json",
]);

export const sha256 = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** A walk over one store, remembering blobs already checked (layers are shared between images). */
export function imageWalker(source: ContentSource) {
  const checked = new Map<string, Promise<Buffer | undefined>>();

  /** The blob's bytes if it is there and matches its descriptor; problems are added to `problems`. */
  function fetchChecked(
    descriptor: WalkDescriptor,
    as: "manifest" | "blob",
    where: string,
    problems: string[],
  ): Promise<Buffer | undefined> {
    const key = `${as} ${descriptor.digest} ${descriptor.size}`;
    let result = checked.get(key);
    if (!result) {
      result = (async () => {
        if (typeof descriptor.digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(descriptor.digest)) {
          problems.push(`${where}: descriptor has no valid sha256 digest (${JSON.stringify(descriptor)})`);
          return undefined;
        }
        const data = await source.read(descriptor.digest, as);
        if (!data) {
          problems.push(`${where}: ${descriptor.digest} is missing`);
          return undefined;
        }
        if (data.length !== descriptor.size)
          problems.push(
            `${where}: ${descriptor.digest} has ${data.length} bytes, descriptor says ${descriptor.size}`,
          );
        const actual = sha256(data);
        if (actual !== descriptor.digest) {
          problems.push(`${where}: ${descriptor.digest} has content ${actual}`);
          return undefined;
        }
        return data;
      })();
      checked.set(key, result);
    }
    return result;
  }

  async function walk(descriptor: WalkDescriptor, where: string, problems: string[]): Promise<void> {
    const type = descriptor.mediaType ?? "";
    const isIndex = INDEX_TYPES.has(type);
    const isManifest = MANIFEST_TYPES.has(type);
    const data = await fetchChecked(descriptor, isIndex || isManifest ? "manifest" : "blob", where, problems);
    if (!data || !(isIndex || isManifest)) return;
    const doc = parse(data, where, problems) as
      | {
          mediaType?: string;
          manifests?: WalkDescriptor[];
          config?: WalkDescriptor;
          layers?: WalkDescriptor[];
        }
      | undefined;
    if (!doc) return;
    if (doc.mediaType !== undefined && doc.mediaType !== type)
      problems.push(`${where}: document's mediaType ${doc.mediaType} is not the descriptor's ${type}`);
    if (isIndex) {
      if (!Array.isArray(doc.manifests)) return void problems.push(`${where}: index has no manifests list`);
      for (const child of doc.manifests) await walk(child, `${where} → ${platformOf(child)}`, problems);
      return;
    }
    if (!doc.config || !Array.isArray(doc.layers))
      return void problems.push(`${where}: manifest lacks config or layers`);
    if (!CONFIG_TYPES.has(doc.config.mediaType ?? "")) {
      // An artifact (image-spec 1.1: an SBOM, a signature) rather than an image: it has no diff_ids,
      // but every blob it names must be there and match its descriptor.
      for (const [i, blob] of [doc.config, ...doc.layers].entries())
        await fetchChecked(blob, "blob", `${where} artifact blob ${i}`, problems);
      return;
    }
    const configData = await fetchChecked(doc.config, "blob", `${where} config`, problems);
    const config = configData && (parse(configData, `${where} config`, problems) as ImageConfig | undefined);
    const diffIds = config?.rootfs?.diff_ids;
    if (config && (!Array.isArray(diffIds) || diffIds.length !== doc.layers.length))
      problems.push(`${where}: config lists ${diffIds?.length} diff_ids for ${doc.layers.length} layers`);
    for (const [i, layer] of doc.layers.entries()) {
      const at = `${where} layer ${i}`;
      const bytes = await fetchChecked(layer, "blob", at, problems);
      if (!bytes || !Array.isArray(diffIds)) continue;
      const diffId = await uncompressedDigest(bytes, layer.mediaType ?? "", at, problems);
      if (diffId && diffId !== diffIds[i])
        problems.push(`${at}: uncompressed digest ${diffId} is not the config's diff_id ${diffIds[i]}`);
    }
  }

  return { walk };
}

interface ImageConfig {
  rootfs?: { diff_ids?: string[] };
}

function parse(data: Buffer, where: string, problems: string[]): unknown {
  try {
    return JSON.parse(data.toString("utf8"));
  } catch (error) {
    problems.push(`${where}: does not parse as JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** The digest of a layer's tar, decompressed as a stream (a layer may hold files of gigabytes). */
async function uncompressedDigest(
  data: Buffer,
  mediaType: string,
  where: string,
  problems: string[],
): Promise<string | undefined> {
  if (!/gzip/.test(mediaType)) return sha256(data);
  const hash = createHash("sha256");
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done();
    },
  });
  try {
    await pipeline(Readable.from([data]), createGunzip(), sink);
  } catch (error) {
    problems.push(`${where}: does not decompress (${(error as Error).message})`);
    return undefined;
  }
  return `sha256:${hash.digest("hex")}`;
}

function platformOf(descriptor: WalkDescriptor): string {
  const p = descriptor.platform;
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : descriptor.digest;
}
