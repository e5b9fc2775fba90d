/**
 * Building and writing the services no cache had. Set up once per run, and only when something
 * must be built: the image assembler and the batching Go compiler load here.
 */
import { rm } from "node:fs/promises";
import os from "node:os";
import pLimit from "p-limit";
import type { AssembleTimes } from "../assemble/index.js";
import { type CacheEntry, entryFor } from "../cache/index.js";
import type { ResolvedService } from "../config/index.js";
import type { ServiceKey } from "../fingerprint/index.js";
import { createBatchingCompiler, type GoMain, type GoToolchain } from "../go/index.js";
import { makeScratch } from "../io/index.js";
import type { Digest, ImageSet, LayoutStore } from "../oci/index.js";
import type { BasePins } from "../pins/index.js";
import { createStepClock, type Tracer } from "../report/index.js";
import { memoizedBases } from "./bases.js";
import type { BuildOptions } from "./types.js";

/** One service built and written: its cache entry, its documents in memory, where the time went. */
export interface BuiltService {
  entry: CacheEntry;
  documents: ReadonlyMap<Digest, Buffer>;
  /** Per platform name. */
  times: ReadonlyMap<string, AssembleTimes>;
  writeMs: number;
}

/** Builds services into the layout; `close` removes the run's scratch space. */
export interface Builder {
  build(service: ResolvedService, key: ServiceKey): Promise<BuiltService>;
  close(): Promise<void>;
}

/** What the builder reuses from the fingerprint step instead of asking again. */
export interface BuilderInputs {
  tracer: Tracer;
  /** The layout the images are written into. */
  layout: LayoutStore;
  /** dray.lock's pins, as the fingerprint step read them. */
  pins: BasePins | undefined;
  toolchain: GoToolchain | undefined;
  mains: ReadonlyMap<string, GoMain>;
  misses: readonly ResolvedService[];
}

/** Set up the builder for this run's misses. */
export async function openBuilder(options: BuildOptions, inputs: BuilderInputs): Promise<Builder> {
  const { config } = options;
  const { tracer } = inputs;
  // Scratch space under .dray, private to this run, so nothing half-built ever lands in the layout.
  const tmpDir = await makeScratch(config.state.tmp, "build");
  const parallelism = options.jobs ?? Math.max(1, os.availableParallelism());
  const limit = pLimit(parallelism);
  // Packing streams files through zlib on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE
  // says otherwise): a few packs at a time keep it busy, and each holds only its stream buffers.
  const packLimit = pLimit(Math.max(4, parallelism));
  const { layout } = inputs;
  const { buildService } = await import("../assemble/index.js");
  const compiler =
    inputs.toolchain &&
    createBatchingCompiler({
      toolchain: inputs.toolchain,
      env: options.env,
      tmpDir,
      limit,
      tracer,
      locate: (service: string, key: string) => config.locate(["services", service, key]),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onStep
        ? { onCompile: (name: string, platform: string) => options.onStep?.(name, platform, "compile") }
        : {}),
    });
  const deps = {
    tracer,
    env: options.env,
    sourceDateEpoch: config.sourceDateEpoch,
    limit,
    layers: { dir: tmpDir, limit: packLimit },
    baseImage: memoizedBases(config, inputs.pins),
    tmpDir,
    locks: config.state.locks,
    locate: config.locate,
    ...(compiler ? { go: { compiler, mains: inputs.mains } } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  return {
    async build(service, key) {
      const { set, times } = await buildService(service, deps);
      options.onStep?.(service.name, "", "write");
      const write = createStepClock(tracer, service.name, ["write"] as const);
      await write.time("write", () => layout.writeImageSet(set));
      return {
        entry: { ...entryFor(key, set, Date.now()), buildMs: buildMs(times) },
        documents: await documentsOf(set),
        times,
        writeMs: write.totals().write,
      };
    },
    close: () => rm(tmpDir, { recursive: true, force: true }),
  };
}

/** The time spent building, summed over platforms, in whole milliseconds. */
function buildMs(times: ReadonlyMap<string, AssembleTimes>): number {
  let total = 0;
  for (const t of times.values()) total += t.compile + t.pack;
  return Math.round(total);
}

/** The set's manifests, configs and index: small, and what a push reads first. */
async function documentsOf(set: ImageSet): Promise<Map<Digest, Buffer>> {
  const blobs = [
    ...set.images.flatMap((image) => [image.manifest, image.config]),
    ...(set.index ? [set.index] : []),
  ];
  const documents = new Map<Digest, Buffer>();
  for (const blob of blobs) documents.set(blob.descriptor.digest, await blob.bytes());
  return documents;
}
