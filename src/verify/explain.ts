/** Finding the first thing that differs between two builds of the same image, so the cause can be fixed. */

import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { Digest, ImageConfigFile, LayoutStore } from "../oci/index.js";
import { type Difference, firstJsonDifference, firstTarDifference } from "./layer-diff.js";

const gunzipAsync = promisify(gunzip);

interface ManifestJson {
  config: { digest: Digest };
  layers: { digest: Digest; mediaType: string }[];
}

/** Compare two single-platform images by manifest digest, each read from its own layout. */
export async function explainImageDifference(
  a: { store: LayoutStore; manifest: Digest },
  b: { store: LayoutStore; manifest: Digest },
): Promise<Difference | { kind: "compression"; layer: number } | undefined> {
  const [ma, mb] = await Promise.all([
    readJson<ManifestJson>(a.store, a.manifest),
    readJson<ManifestJson>(b.store, b.manifest),
  ]);
  const [ca, cb] = await Promise.all([
    readJson<ImageConfigFile>(a.store, ma.config.digest),
    readJson<ImageConfigFile>(b.store, mb.config.digest),
  ]);
  const idsA = ca.rootfs.diff_ids;
  const idsB = cb.rootfs.diff_ids;
  if (idsA.length !== idsB.length) return { kind: "layer-count", a: idsA.length, b: idsB.length };
  for (let i = 0; i < idsA.length; i++) {
    if (idsA[i] === idsB[i]) continue;
    const [ta, tb] = await Promise.all([layerTar(a.store, ma.layers[i]!), layerTar(b.store, mb.layers[i]!)]);
    const entry = await firstTarDifference(ta, tb);
    if (entry) return { kind: "entry", layer: i + 1, ...entry };
  }
  const config = firstJsonDifference(ca, cb);
  if (config) return { kind: "config", ...config };
  // Same config, different manifest: only the compressed bytes can differ.
  const layer = ma.layers.findIndex((l, i) => l.digest !== mb.layers[i]?.digest);
  return layer >= 0 ? { kind: "compression", layer: layer + 1 } : undefined;
}

async function readJson<T>(store: LayoutStore, digest: Digest): Promise<T> {
  return JSON.parse((await store.readBlob(digest)).toString("utf8")) as T;
}

async function layerTar(store: LayoutStore, layer: { digest: Digest; mediaType: string }): Promise<Buffer> {
  const bytes = await store.readBlob(layer.digest);
  return layer.mediaType.endsWith("gzip") ? gunzipAsync(bytes) : bytes;
}
