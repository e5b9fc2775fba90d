/**
 * Publishing built services: each service's image set goes to <registry>/<service>, sending only
 * the blobs the registry lacks, and — with `cache: registry` — the input key → image mapping next
 * to it, so that another machine can skip the build. Given the layout, what is sent is each image's
 * distribution form (its uncompressed layers gzipped, see distribution-form.ts).
 */
import type { AttachReport, Attester } from "../attest/index.js";
import {
  type CacheEntry,
  type CompressionStats,
  distributionEntry,
  openLayerCompressor,
} from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { BlobSource, Digest, LayoutStore } from "../oci/index.js";
import { formatReference } from "../oci/index.js";
import type { RegistryClient } from "../registry/index.js";
import { cacheTag, type PushEvent, type PushResult, pushImage, storeCacheEntry } from "../registry/index.js";
import type { Tracer } from "../report/index.js";
import { clientFor, repositoryOf, requireRegistry } from "./target.js";

/** One service's push, as reported. */
export interface PublishReport {
  service: string;
  reference: string;
  digest: Digest;
  /** The entry as pushed: in distribution form when the layout was given. */
  entry: CacheEntry;
  /** How the layers of the distribution form were had (when the layout was given). */
  layers?: CompressionStats;
  result: PushResult;
  /** The SBOM, provenance and signature referrers sent with it (only with an attester). */
  attestations?: AttachReport;
  ms: number;
}

/** Options for publishing. */
export interface PublishOptions {
  config: ResolvedConfig;
  client: RegistryClient;
  /** Where the images' blobs are read: the layout, with the build's in-memory documents in front. */
  source: BlobSource;
  /** Service name → the entry it was built (or found) as. */
  entries: ReadonlyMap<string, CacheEntry>;
  tags: readonly string[];
  tracer: Tracer;
  onProgress?: (service: string, event: PushEvent) => void;
  /** Attaches each pushed image's SBOM, provenance and signatures (`dray push`). */
  attester?: Attester;
  /**
   * The layout the source reads: when given, every image is pushed in its distribution form, its
   * layers gzipped (once per layer, recorded, and written into this layout). Without it the entries
   * are pushed as they are.
   */
  layout?: LayoutStore;
}

/** Push every entry, a few services at a time; returns per-service reports in name order. */
export async function publishServices(options: PublishOptions): Promise<PublishReport[]> {
  const { config, client, source, entries, tracer } = options;
  const target = config.registry!;
  const names = [...entries.keys()].sort();
  // Another service's repository is a mount source for blobs both images share (a base layer, a
  // files layer): the registry links the blob instead of receiving it again.
  const holders = new Map<Digest, string[]>();
  for (const name of names) {
    for (const blob of entries.get(name)!.blobs)
      holders.set(blob.digest, [...(holders.get(blob.digest) ?? []), name]);
  }
  const reports: PublishReport[] = [];
  const queue = [...names];
  const compressor = options.layout ? await openLayerCompressor(config.state, options.layout) : undefined;
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const repository = repositoryOf(target, name);
      const built = entries.get(name)!;
      // Service N is compressed while the workers on other services upload.
      const form =
        compressor && options.layout
          ? await tracer.span(
              "compress",
              () =>
                distributionEntry(built, {
                  source,
                  layout: options.layout!,
                  compressor,
                  registryHas: (digest) => client.hasBlob(repository, digest),
                }),
              { subject: name },
            )
          : undefined;
      const entry = form?.entry ?? built;
      const shared = new Set<string>();
      for (const blob of built.blobs)
        for (const other of holders.get(blob.digest) ?? []) if (other !== name) shared.add(other);
      const started = tracer.now();
      const result = await pushImage({
        client,
        repository,
        source,
        top: entry.top,
        tags: [...options.tags],
        mountFrom: [...shared].slice(0, 3).map((other) => repositoryOf(target, other)),
        tracer,
        subject: name,
        ...(options.onProgress
          ? { onProgress: (event: PushEvent) => options.onProgress?.(name, event) }
          : {}),
      });
      const attestations = options.attester
        ? await tracer.span(
            "attest",
            () =>
              options.attester!.attach({
                client,
                repository,
                service: name,
                entry,
                // An SBOM reads the files from the layers as built: the gzipped ones may be only in the registry.
                ...(form ? { contents: built } : {}),
                source,
              }),
            { subject: name },
          )
        : undefined;
      if (config.cache === "registry") {
        await tracer.span(
          "push cache entry",
          async () => {
            // Entries are immutable per key: one already there is not sent again.
            if (!(await client.headManifest(repository, cacheTag(entry.key)))) {
              await storeCacheEntry(client, repository, entry);
            }
          },
          { subject: name },
        );
      }
      reports.push({
        service: name,
        reference: formatReference({ registry: target.registry, repository, digest: entry.top.digest }),
        digest: entry.top.digest,
        entry,
        ...(form ? { layers: form.layers } : {}),
        result,
        ...(attestations ? { attestations } : {}),
        ms: tracer.now() - started,
      });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(4, names.length) }, worker));
  } finally {
    await compressor?.close();
  }
  return reports.sort((a, b) => (a.service < b.service ? -1 : 1));
}

/**
 * Pushes `entries` by digest (no tags) with a client of its own for the project's registry, closed
 * afterwards: for commands that need the images in the registry but do not tag them (deploy, render).
 * Given the layout, each image goes in its distribution form, as `dray push` sends it; the reports'
 * entries name what was pushed.
 */
export async function publishByDigest(
  config: ResolvedConfig,
  source: BlobSource,
  entries: ReadonlyMap<string, CacheEntry>,
  tracer: Tracer,
  layout?: LayoutStore,
): Promise<PublishReport[]> {
  const client = clientFor(requireRegistry(config));
  try {
    return await tracer.span("publish", () =>
      publishServices({ config, client, source, entries, tags: [], tracer, ...(layout ? { layout } : {}) }),
    );
  } finally {
    client.close();
  }
}
