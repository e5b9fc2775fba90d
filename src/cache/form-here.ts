/**
 * The distribution form computed without a registry, for comparing: `dray verify` and
 * `dray verify --image` compare it as well as the image IDs. Compressed layers are recorded in the
 * project's own cache and written into its layout, as a push would, so a later push reuses them.
 */
import path from "node:path";
import { makeScratch } from "../io/index.js";
import {
  type Descriptor,
  type Digest,
  distributionIndex,
  type LayoutStore,
  MediaType,
} from "../oci/index.js";
import { distributionEntry, manifestForm } from "./distribution-form.js";
import type { CacheEntry } from "./entry.js";
import { type LayerCompressor, layerCompressor } from "./layer-compressor.js";

/** Runs `fn` with a compressor whose records and scratch space are the project's (`state`). */
async function withCompressor<T>(
  state: ProjectState,
  layout: LayoutStore,
  fn: (compressor: LayerCompressor) => Promise<T>,
): Promise<T> {
  const scratch = await makeScratch(state.tmp, "push");
  const compressor = layerCompressor({ layout, records: path.join(state.cache, "compressed"), scratch });
  try {
    return await fn(compressor);
  } finally {
    await compressor.close();
  }
}

/** The project's `.dray/cache` (records go under it) and `.dray/tmp` (compressing happens there). */
export interface ProjectState {
  readonly cache: string;
  readonly tmp: string;
}

const noRegistry = () => Promise.resolve(false);

/** `entry` in distribution form, its blobs written into `layout`. */
export function entryInDistributionForm(
  state: ProjectState,
  layout: LayoutStore,
  entry: CacheEntry,
): Promise<CacheEntry> {
  return withCompressor(state, layout, async (compressor) => {
    const formed = await distributionEntry(entry, {
      source: layout,
      layout,
      compressor,
      registryHas: noRegistry,
    });
    return formed.entry;
  });
}

/** Manifest digest → the digest of its distribution form (the same digest when it has no uncompressed layer). */
export function manifestsInDistributionForm(
  state: ProjectState,
  layout: LayoutStore,
  manifests: readonly Digest[],
): Promise<Map<Digest, Digest>> {
  return withCompressor(state, layout, async (compressor) => {
    const deps = { source: layout, layout, compressor, registryHas: noRegistry };
    const formed = await Promise.all(
      manifests.map((digest) => manifestForm({ mediaType: MediaType.manifest, digest, size: 0 }, deps)),
    );
    return new Map(manifests.map((digest, i) => [digest, formed[i]!.digest]));
  });
}

/**
 * The digest of the distribution form of the image (index or manifest) `top` in `layout`: what a push
 * of it sent. Compresses only the layers no intact record covers.
 */
export function topInDistributionForm(
  state: ProjectState,
  layout: LayoutStore,
  top: Digest,
): Promise<Digest> {
  return withCompressor(state, layout, async (compressor) => {
    const deps = { source: layout, layout, compressor, registryHas: noRegistry };
    const bytes = await layout.readBlob(top);
    const document = JSON.parse(bytes.toString("utf8")) as { manifests?: Descriptor[] };
    if (!document.manifests) {
      return (await manifestForm({ mediaType: MediaType.manifest, digest: top, size: bytes.length }, deps))
        .digest;
    }
    const formed = new Map<Digest, Descriptor>();
    for (const manifest of document.manifests) {
      const form = await manifestForm(manifest, deps);
      if (form.digest !== manifest.digest) formed.set(manifest.digest, form);
    }
    const index = distributionIndex(bytes, formed);
    if (!index) return top;
    await layout.writeBlob(index);
    return index.descriptor.digest;
  });
}
