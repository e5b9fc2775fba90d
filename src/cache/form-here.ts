/**
 * The distribution form computed without a registry, for comparing: `dray verify` and
 * `dray verify --image` compare it as well as the image IDs. Compressed layers are recorded in the
 * project's own cache and written into its layout, as a push would, so a later push reuses them.
 */
import path from "node:path";
import { makeScratch } from "../io/index.js";
import { type BlobSource, type Digest, type LayoutStore, MediaType } from "../oci/index.js";
import { distributionEntry, manifestForm } from "./distribution-form.js";
import type { CacheEntry } from "./entry.js";
import { type LayerCompressor, layerCompressor } from "./layer-compressor.js";

/**
 * The project's layer compressor: its records under `.dray/cache/compressed`, compressing in a
 * scratch directory of its own under `.dray/tmp`, writing into `layout`. Close it when done.
 */
export async function openLayerCompressor(
  state: ProjectState,
  layout: LayoutStore,
): Promise<LayerCompressor> {
  const scratch = await makeScratch(state.tmp, "push");
  return layerCompressor({ layout, records: path.join(state.cache, "compressed"), scratch });
}

/** Runs `fn` with the project's compressor, closed afterwards. */
async function withCompressor<T>(
  state: ProjectState,
  layout: LayoutStore,
  fn: (compressor: LayerCompressor) => Promise<T>,
): Promise<T> {
  const compressor = await openLayerCompressor(state, layout);
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
export async function entryInDistributionForm(
  state: ProjectState,
  layout: LayoutStore,
  entry: CacheEntry,
): Promise<CacheEntry> {
  const forms = await entriesInDistributionForm(state, layout, new Map([["", entry]]));
  return forms.get("")!;
}

/**
 * Each entry in distribution form, by service, with one compressor: what a push would send, without
 * a registry (`dray render --no-push`). `source` reads the entries' documents (the layout, or a
 * build's documents in front of it).
 */
export function entriesInDistributionForm(
  state: ProjectState,
  layout: LayoutStore,
  entries: ReadonlyMap<string, CacheEntry>,
  source: BlobSource = layout,
): Promise<Map<string, CacheEntry>> {
  return withCompressor(state, layout, async (compressor) => {
    const forms = new Map<string, CacheEntry>();
    for (const [service, entry] of entries) {
      const formed = await distributionEntry(entry, { source, layout, compressor, registryHas: noRegistry });
      forms.set(service, formed.entry);
    }
    return forms;
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
