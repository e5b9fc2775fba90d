/**
 * A built service's distribution form, the one a registry receives: its manifests name gzip blobs for
 * the layers the build stored uncompressed, and an index (when there is one) names those manifests.
 * The compressed layers, manifests and index are written into the layout too, so the layout holds
 * every blob of both forms and the form's digests are a function of the layout form alone. The image
 * IDs (configs) are the same in both forms.
 */

import {
  type Blob,
  type BlobSource,
  type Descriptor,
  type Digest,
  distributionIndex,
  distributionManifest,
  type LayoutStore,
  type ManifestDocument,
  uncompressedLayers,
} from "../oci/index.js";
import type { CacheEntry } from "./entry.js";
import type { CompressionStats, LayerCompressor } from "./layer-compressor.js";

/** Where a form is read from and written to, and who compresses. */
export interface FormDeps {
  /** The build's documents in front of the layout. */
  source: BlobSource;
  layout: LayoutStore;
  compressor: LayerCompressor;
  /** Whether the registry the form goes to has a blob already. */
  registryHas: (digest: Digest) => Promise<boolean>;
}

/** An entry in distribution form, and how its layers' compressed forms were had. */
export interface DistributionEntry {
  entry: CacheEntry;
  layers: CompressionStats;
}

/** `entry` in distribution form: the same entry when it has no uncompressed layer (a pulled image). */
export async function distributionEntry(entry: CacheEntry, deps: FormDeps): Promise<DistributionEntry> {
  // Old digest → new descriptor, for every blob that the distribution form replaces.
  const replaced = new Map<Digest, Descriptor>();
  const layers: CompressionStats = { compressed: 0, reused: 0, remote: 0 };
  const platforms = await Promise.all(
    entry.platforms.map(async (p) => {
      const form = await distributionOf(p.manifest, { ...deps, layers }, replaced);
      if (!form) return p;
      const { digest, size } = form.manifest.descriptor;
      replaced.set(p.manifest.digest, form.manifest.descriptor);
      // The entry's size counts config, manifest and layers as stored: the form's own.
      const sized = p.size - p.manifest.size + size + form.layerBytes.after - form.layerBytes.before;
      return { ...p, manifest: { ...p.manifest, digest, size }, size: sized };
    }),
  );
  if (replaced.size === 0) return { entry, layers };
  let top = entry.top;
  const manifest = replaced.get(entry.top.digest);
  if (manifest) top = { ...entry.top, digest: manifest.digest, size: manifest.size };
  else {
    const index = distributionIndex(await deps.source.readBlob(entry.top.digest), replaced);
    if (index) {
      await deps.layout.writeBlob(index);
      replaced.set(entry.top.digest, index.descriptor);
      top = { ...entry.top, digest: index.descriptor.digest, size: index.descriptor.size };
    }
  }
  const blobs = new Map<Digest, number>();
  for (const blob of entry.blobs) {
    const next = replaced.get(blob.digest);
    blobs.set(next?.digest ?? blob.digest, next?.size ?? blob.size);
  }
  return {
    entry: { ...entry, top, platforms, blobs: [...blobs].map(([digest, size]) => ({ digest, size })) },
    layers,
  };
}

/** The descriptor of one manifest's distribution form, written to the layout (itself when it needs none). */
export async function manifestForm(descriptor: Descriptor, deps: FormDeps): Promise<Descriptor> {
  const layers: CompressionStats = { compressed: 0, reused: 0, remote: 0 };
  const form = await distributionOf(descriptor, { ...deps, layers }, new Map());
  return form?.manifest.descriptor ?? descriptor;
}

/** One manifest's distribution form, and its layers' bytes before and after. */
interface ManifestForm {
  manifest: Blob;
  layerBytes: { before: number; after: number };
}

/** The distribution form of one manifest, written to the layout; its layers' replacements go into `replaced`. */
async function distributionOf(
  descriptor: Descriptor,
  deps: FormDeps & { layers: CompressionStats },
  replaced: Map<Digest, Descriptor>,
): Promise<ManifestForm | undefined> {
  const bytes = await deps.source.readBlob(descriptor.digest);
  const manifest = JSON.parse(bytes.toString("utf8")) as ManifestDocument;
  const layers = uncompressedLayers(manifest);
  if (layers.length === 0) return undefined;
  const compressed = new Map<Digest, Descriptor>();
  await Promise.all(
    layers.map(async (layer) => {
      const { descriptor: gzip, how } = await deps.compressor.compressed(layer, deps.registryHas);
      deps.layers[how]++;
      compressed.set(layer.digest, gzip);
      replaced.set(layer.digest, gzip);
    }),
  );
  const blob = distributionManifest(bytes, compressed, descriptor.platform);
  if (!blob) return undefined;
  await deps.layout.writeBlob(blob);
  const before = layers.reduce((n, layer) => n + layer.size, 0);
  const after = layers.reduce((n, layer) => n + compressed.get(layer.digest)!.size, 0);
  return { manifest: blob, layerBytes: { before, after } };
}
