/**
 * The build pipeline, wired in one place and read top to bottom: fingerprint → cache (the local
 * build cache, with the registry's behind it) → build what no cache has → write into the layout →
 * record, tag and prune. Publishing (publish-built.ts) takes the outcome from there. Every step
 * returns its own duration; the images a build made are handed on in memory.
 */
import path from "node:path";
import {
  type BuildCache,
  type CacheEntry,
  type CacheHit,
  type ImageCache,
  localImageCache,
  maybeAutoPrune,
  openBuildCache,
  sameImages,
} from "../cache/index.js";
import { type ResolvedService, selectServices } from "../config/index.js";
import { interruptedError, isExpectedError } from "../errors/index.js";
import { computeServiceKeys, createFileHasher, type ServiceKey } from "../fingerprint/index.js";
import { type Digest, openLayout } from "../oci/index.js";
import { createStepClock, createTracer } from "../report/index.js";
import type { Builder } from "./builder.js";
import { builtReport, failedReport } from "./report.js";
import { moveTags } from "./tags.js";
import type { BuildOptions, BuildOutcome, ImageChange, PipelineStep, ServiceReport } from "./types.js";

const STEPS: readonly PipelineStep[] = ["fingerprint", "cache lookup", "build", "tag", "cache prune"];

/** Build the selected services. Per-service failures are reported, not thrown; config problems throw. */
export async function buildProject(options: BuildOptions): Promise<BuildOutcome> {
  const { config } = options;
  const tracer = options.tracer ?? createTracer();
  const started = tracer.now();
  const steps = createStepClock(tracer, undefined, STEPS);
  const services = selectServices(config, options.only ?? []);
  const layoutDir = options.layoutDir ?? config.state.layout;

  // 1. Fingerprint: every fact read once (files, go list, toolchain, pins, bases), then the keys.
  const hasher = await createFileHasher({ cacheFile: path.join(config.state.cache, "stat-cache.tsv") });
  const { keys, mains, toolchain, facts } = await steps.time("fingerprint", () =>
    computeServiceKeys(services, { config, env: options.env, hasher, cacheDir: config.state.cache, tracer }),
  );

  stopIfInterrupted(options.signal);

  // 2. Cache: the local build cache, with the registry's behind it under `cache: registry`.
  const [layout, buildCache] = await Promise.all([
    openLayout(layoutDir, { create: true }),
    openBuildCache(config.state.cache),
  ]);
  const local = localImageCache(buildCache, layout);
  const cache = options.registryCache?.behind(local, buildCache, tracer) ?? local;
  const found = await steps.time("cache lookup", () =>
    Promise.all(
      services.map((service) => lookUp(service, keys.get(service.name)!, cache, buildCache, options)),
    ),
  );

  // 3–4. Build what no cache has (compilers and packer load only now), write it, record it.
  const entries = new Map<string, CacheEntry>();
  const documents = new Map<Digest, Buffer>();
  const misses = found.filter((f) => !f.hit).map((f) => f.service);
  const builder =
    misses.length > 0
      ? await import("./builder.js").then(({ openBuilder }) =>
          openBuilder(options, { tracer, layout, pins: facts.pins, toolchain, mains, misses }),
        )
      : undefined;
  try {
    const reports = await steps.time("build", () =>
      // Every build starts in this one tick, so the Go compiler sees them all and batches them.
      Promise.all(
        found.map(async ({ service, key, last, hit }): Promise<ServiceReport> => {
          try {
            if (hit) {
              options.onStep?.(service.name, "", "cached");
              entries.set(service.name, hit.entry);
              options.onStep?.(service.name, "", "done");
              return builtReport(service, hit.entry, { hit, change: changeOf(last, hit.entry) });
            }
            const built = await (builder as Builder).build(service, key);
            await buildCache.put(built.entry);
            entries.set(service.name, built.entry);
            for (const [digest, data] of built.documents) documents.set(digest, data);
            options.onStep?.(service.name, "", "done");
            return builtReport(service, built.entry, { built, change: changeOf(last, built.entry) });
          } catch (error) {
            options.onStep?.(service.name, "", "failed");
            if (!isExpectedError(error) && !isAbort(error)) throw error;
            return failedReport(service, error);
          }
        }),
      ),
    );

    // Interrupted: what was written stays unreferenced (the next build reuses it, a prune removes
    // it), the tags and the last build stay as they were, and `finally` removes the scratch space.
    stopIfInterrupted(options.signal);

    // 5. Tags move only after every blob is in place; then the last build is remembered and the cache bounded.
    await steps.time("tag", () => moveTags(layout, entries));
    await buildCache.setLast(
      Object.fromEntries([...entries.keys()].map((name) => [name, keys.get(name)!.key])),
    );
    await hasher.save();
    await steps.time("cache prune", () => maybeAutoPrune(buildCache, layout, options.env));
    return {
      services: reports,
      keys,
      entries,
      documents,
      layout: layoutDir,
      steps: steps.totals(),
      totalMs: tracer.now() - started,
      tracer,
    };
  } finally {
    await builder?.close();
  }
}

interface Lookup {
  service: ResolvedService;
  key: ServiceKey;
  /** What the service was last built as, to tell "changed" from "rebuilt, identical". */
  last: CacheEntry | undefined;
  hit: CacheHit | undefined;
}

async function lookUp(
  service: ResolvedService,
  key: ServiceKey,
  cache: ImageCache,
  buildCache: BuildCache,
  options: BuildOptions,
): Promise<Lookup> {
  const [last, hit] = await Promise.all([
    buildCache.last(service.name),
    options.noCache ? undefined : cache.lookup(service.name, key.key),
  ]);
  return { service, key, last, hit };
}

function changeOf(last: CacheEntry | undefined, now: CacheEntry): ImageChange {
  if (!last) return "new";
  if (last.key === now.key) return "unchanged";
  return sameImages(last, now) ? "rebuilt-identical" : "changed";
}

/** Throws the "interrupted" error (exit 130) once Ctrl-C has aborted `signal`. */
function stopIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw interruptedError("nothing was tagged; the image layout keeps the images of the last build");
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
