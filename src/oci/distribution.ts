/**
 * An image's distribution form: the same image (same config, same image ID) with every layer a build
 * stored uncompressed named by its gzip blob instead. It is what registries receive. Pure: documents in,
 * documents out, written with canonicalJson like every document dray makes, so the same layout form and
 * the same compressed layers always give the same manifest and index digests.
 */
import { blobFromBytes } from "./blob.js";
import { canonicalJson } from "./canonical-json.js";
import type { ManifestDocument } from "./resolve-image.js";
import { type Blob, type Descriptor, type Digest, MediaType } from "./types.js";

/** The layers of a manifest that its distribution form compresses: those stored as plain tars. */
export function uncompressedLayers(manifest: ManifestDocument): Descriptor[] {
  return manifest.layers.filter((layer) => layer.mediaType === MediaType.layerTar);
}

/**
 * The manifest with each uncompressed layer replaced by its compressed descriptor from `compressed`
 * (keyed by the tar's digest, the diff_id); undefined when it names no uncompressed layer, so the
 * manifest is its own distribution form, byte for byte.
 */
export function distributionManifest(
  bytes: Buffer,
  compressed: ReadonlyMap<Digest, Descriptor>,
  platform?: Descriptor["platform"],
): Blob | undefined {
  const manifest = JSON.parse(bytes.toString("utf8")) as ManifestDocument;
  if (uncompressedLayers(manifest).length === 0) return undefined;
  const layers = manifest.layers.map((layer) => {
    if (layer.mediaType !== MediaType.layerTar) return layer;
    const gzip = compressed.get(layer.digest);
    if (!gzip) throw new Error(`internal: no compressed form of layer ${layer.digest}`);
    if (gzip.mediaType !== MediaType.layerGzip)
      throw new Error(`internal: ${gzip.mediaType} is not OCI gzip`);
    return { ...layer, mediaType: gzip.mediaType, digest: gzip.digest, size: gzip.size };
  });
  return blobFromBytes(
    manifest.mediaType ?? MediaType.manifest,
    Buffer.from(canonicalJson({ ...manifest, layers })),
    platform ? { platform } : {},
  );
}

/**
 * The index with each manifest in `manifests` (old digest → its distribution form's descriptor)
 * replaced; undefined when none of its manifests changed.
 */
export function distributionIndex(
  bytes: Buffer,
  manifests: ReadonlyMap<Digest, Descriptor>,
): Blob | undefined {
  const index = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; manifests: Descriptor[] };
  if (!index.manifests.some((m) => manifests.has(m.digest))) return undefined;
  const replaced = index.manifests.map((m) => {
    const next = manifests.get(m.digest);
    return next ? { ...m, digest: next.digest, size: next.size } : m;
  });
  return blobFromBytes(
    index.mediaType ?? MediaType.index,
    Buffer.from(canonicalJson({ ...index, manifests: replaced })),
  );
}
