/**
 * Compressing a build's uncompressed layers for publishing, once per layer: the first push of a layer
 * gzips it into the layout and records diff_id → {digest, size, media type, compressor} under
 * `.dray/cache/compressed`. Later pushes reuse the record — but a record is only a name: the blob it
 * names is trusted after the registry says it has that digest, or after the local file hashes to it.
 * A record by another compressor, a missing blob or one whose bytes changed means compressing again.
 */
import { readFile, rm } from "node:fs/promises";
import { availableParallelism } from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import { ensureDirectory, writeFileAtomic } from "../io/index.js";
import {
  blobFromPackedFile,
  COMPRESSOR_ID,
  type Descriptor,
  type Digest,
  digestHex,
  gzipToFile,
  isDigest,
  type LayoutStore,
  MediaType,
} from "../oci/index.js";

/** What is remembered of one compressed layer. */
export interface CompressedRecord {
  diffId: Digest;
  digest: Digest;
  size: number;
  mediaType: string;
  compressor: string;
}

/** How the compressed form of each layer was had. */
export interface CompressionStats {
  /** Layers gzipped now. */
  compressed: number;
  /** Layers whose recorded gzip blob was found intact in the layout. */
  reused: number;
  /** Layers whose recorded gzip blob the registry already had: neither compressed nor read. */
  remote: number;
}

/** A layer's gzip descriptor and how it was had (a layer another image is compressing counts as reused). */
export interface CompressedLayer {
  descriptor: Descriptor;
  how: keyof CompressionStats;
}

export interface LayerCompressor {
  /** The gzip form of the uncompressed layer `layer`; `registryHas` asks the registry for a digest. */
  compressed(layer: Descriptor, registryHas: (digest: Digest) => Promise<boolean>): Promise<CompressedLayer>;
  /** Removes the scratch directory. */
  close(): Promise<void>;
}

/** Where records live, where compressing writes first, and how many layers compress at once. */
export interface CompressorOptions {
  layout: LayoutStore;
  records: string;
  scratch: string;
  concurrency?: number;
}

export function layerCompressor(options: CompressorOptions): LayerCompressor {
  const { layout, records, scratch } = options;
  // Each compression is one worker thread, busy on one core.
  const limit = pLimit(options.concurrency ?? Math.max(1, availableParallelism()));
  // One compression per layer, however many images (and services) share it.
  const local = new Map<Digest, Promise<CompressedLayer>>();

  const fromLayout = async (
    layer: Descriptor,
    record: CompressedRecord | undefined,
  ): Promise<CompressedLayer> => {
    if (record) {
      const state = await layout.checkBlob(record.digest);
      if (state.state === "ok" && state.size === record.size)
        return { descriptor: describe(record), how: "reused" };
    }
    const file = path.join(scratch, `${digestHex(layer.digest)}.tar.gz`);
    await ensureDirectory(scratch);
    const { digest, size } = await gzipToFile(layout.openBlob(layer), file);
    const descriptor: Descriptor = { mediaType: MediaType.layerGzip, digest, size };
    await layout.writeBlob(blobFromPackedFile(descriptor, file));
    const next: CompressedRecord = { diffId: layer.digest, ...descriptor, compressor: COMPRESSOR_ID };
    await ensureDirectory(records);
    await writeFileAtomic(recordPath(records, layer.digest), `${JSON.stringify(next)}\n`);
    return { descriptor, how: "compressed" };
  };

  return {
    async compressed(layer, registryHas) {
      const record = await readRecord(records, layer.digest);
      if (record && (await registryHas(record.digest)))
        return { descriptor: describe(record), how: "remote" };
      const pending = local.get(layer.digest);
      if (pending) return { descriptor: (await pending).descriptor, how: "reused" };
      const started = limit(() => fromLayout(layer, record));
      local.set(layer.digest, started);
      // A failed compression may be tried again by the next image that needs the layer.
      started.catch(() => local.delete(layer.digest));
      return started;
    },
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}

function describe(record: CompressedRecord): Descriptor {
  return { mediaType: record.mediaType, digest: record.digest, size: record.size };
}

function recordPath(records: string, diffId: Digest): string {
  return path.join(records, `${digestHex(diffId)}.json`);
}

/** The record of `diffId` when there is a well-formed one by this compressor; anything else is no record. */
export async function readRecord(records: string, diffId: Digest): Promise<CompressedRecord | undefined> {
  let parsed: Partial<CompressedRecord>;
  try {
    parsed = JSON.parse(await readFile(recordPath(records, diffId), "utf8")) as Partial<CompressedRecord>;
  } catch {
    return undefined;
  }
  const ok =
    parsed.diffId === diffId &&
    typeof parsed.digest === "string" &&
    isDigest(parsed.digest) &&
    typeof parsed.size === "number" &&
    Number.isSafeInteger(parsed.size) &&
    parsed.mediaType === MediaType.layerGzip &&
    parsed.compressor === COMPRESSOR_ID;
  return ok ? (parsed as CompressedRecord) : undefined;
}
