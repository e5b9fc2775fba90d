/**
 * `dray build`: fingerprint every selected service, reuse cached images whose input key is known,
 * build the rest in parallel, and move tags only after every blob is in place.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import type { BuildStep } from "../assemble/assemble-service.js";
import { maybeAutoPrune } from "../cache/auto-prune.js";
import { type BuildCache, openBuildCache } from "../cache/build-cache.js";
import type { CacheEntry } from "../cache/entry.js";
import { entryFor, sameImages, tagsForEntry } from "../cache/entry.js";
import type { RemoteCache } from "../cache/registry-cache.js";
import { selectServices } from "../config/select-services.js";
import type { ResolvedConfig, ResolvedService } from "../config/types.js";
import { isExpectedError } from "../errors/errors.js";
import { createFileHasher } from "../fingerprint/file-hasher.js";
import { computeServiceKeys } from "../fingerprint/service-keys.js";
import type { ServiceKey } from "../fingerprint/types.js";
import { readBaseFromLayout } from "../oci/base.js";
import type { BaseImage } from "../oci/image.js";
import { type LayoutStore, openLayout } from "../oci/layout.js";
import { platformName } from "../oci/platform.js";
import type { Descriptor, Digest, ImageSet, Platform } from "../oci/types.js";
import { type LockFile, pinnedDigest, readLockFile } from "../pins/pin-file.js";
import { createTracer, durationsBySubject, type Tracer } from "../report/trace.js";

/** One platform's image, as reported to the user. */
export interface PlatformReport {
  platform: string;
  /** The image ID: digest of the config. */
  imageId: Digest;
  manifestDigest: Digest;
  /** Compressed bytes: layers + config + manifest. */
  size: number;
  timings: Record<BuildStep, number>;
}

/** How a service's image relates to the one it was last built as. */
export type Change = "unchanged" | "changed" | "rebuilt-identical" | "new";

/** One service's result. */
export type ServiceReport =
  | {
      name: string;
      kind: string;
      status: "built";
      /** True when the input key was in the cache: nothing was compiled or packed. */
      cached: boolean;
      /** True when that cache was the registry's (`cache: registry`) and the image was pulled. */
      fromRegistry: boolean;
      change: Change;
      key: Digest;
      ref: string;
      digest: Digest;
      platforms: PlatformReport[];
    }
  | { name: string; kind: string; status: "failed"; error: unknown };

/** What `dray build` did. */
export interface BuildOutcome {
  services: ServiceReport[];
  /** The input key of every selected service. */
  keys: ReadonlyMap<string, ServiceKey>;
  /** Every service that built or came from a cache, as its cache entry (what publishing pushes). */
  entries: ReadonlyMap<string, CacheEntry>;
  layout: string;
  totalMs: number;
  tracer: Tracer;
}

/** Options for a project build. */
export interface BuildOptions {
  config: ResolvedConfig;
  /** Names to build; empty means all. */
  only?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Defaults to <root>/.dray/oci. */
  layoutDir?: string;
  jobs?: number;
  /** Ignore cached images (the cache is still updated). */
  noCache?: boolean;
  /** Asked on a local cache miss before building (the registry, with `cache: registry`). */
  remoteCache?: RemoteCache;
  tracer?: Tracer;
  onStep?: (service: string, platform: string, step: BuildStep | "cached" | "done" | "failed") => void;
  signal?: AbortSignal;
}

/** Build the selected services. Per-service failures are reported, not thrown; config problems throw. */
export async function buildProject(options: BuildOptions): Promise<BuildOutcome> {
  const { config } = options;
  const tracer = options.tracer ?? createTracer();
  const started = tracer.now();
  const services = selectServices(config, options.only ?? []);
  const layoutDir = options.layoutDir ?? path.join(config.root, ".dray", "oci");
  const cacheDir = path.join(config.root, ".dray", "cache");

  const hasher = await createFileHasher({ cacheFile: path.join(cacheDir, "stat-cache.tsv") });
  const { keys, mains, toolchain } = await tracer.span("fingerprint", () =>
    computeServiceKeys(services, { config, env: options.env, hasher, cacheDir, tracer }),
  );
  const [store, cache] = await Promise.all([
    openLayout(layoutDir, { create: true }),
    openBuildCache(cacheDir),
  ]);
  // Scratch space next to the layout, so nothing half-built ever lands inside it.
  const tmpDir = path.join(
    path.dirname(layoutDir),
    "tmp",
    `build-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  const limit = pLimit(options.jobs ?? Math.max(1, os.availableParallelism()));
  const baseImage = memoizedBases(config.root);
  const entries = new Map<string, CacheEntry>();

  try {
    // Phase 1: what the cache already has.
    const lookups = await tracer.span("cache lookup", () =>
      Promise.all(
        services.map(async (service) => {
          const key = keys.get(service.name)!;
          const [last, local] = await Promise.all([
            cache.last(service.name),
            options.noCache ? undefined : lookup(cache, store, key.key),
          ]);
          let hit = local;
          let remote = false;
          if (!hit && !options.noCache && options.remoteCache) {
            hit = await tracer.span(
              "remote cache",
              () => options.remoteCache!.lookup(service.name, key.key),
              {
                subject: service.name,
              },
            );
            if (hit) await cache.put(hit);
            remote = hit !== undefined;
          }
          return { service, key, last, hit, remote };
        }),
      ),
    );
    const misses = lookups.filter((l) => !l.hit);
    let build: ((service: ResolvedService) => Promise<ImageSet>) | undefined;
    if (misses.length > 0) {
      // Phase 2: set up once. The compilers, packer and compressor load only when something must be built.
      await mkdir(tmpDir, { recursive: true });
      const [{ buildService }, { createBatchingCompiler }] = await Promise.all([
        import("../assemble/assemble-service.js"),
        import("../go/batch-compiler.js"),
      ]);
      const compiler =
        toolchain &&
        createBatchingCompiler({
          toolchain,
          env: options.env,
          tmpDir,
          limit,
          tracer,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onStep
            ? { onCompile: (name: string, platform: string) => options.onStep?.(name, platform, "compile") }
            : {}),
        });
      const deps = {
        tracer,
        env: options.env,
        sourceDateEpoch: config.sourceDateEpoch,
        tmpDir,
        limit,
        baseImage,
        ...(compiler ? { go: { compiler, mains } } : {}),
        ...(options.onStep ? { onStep: options.onStep } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      build = (service) => buildService(service, deps);
    }

    // Phase 3: every build starts in this one tick, so the Go compiler sees them all and batches them.
    const reports = await Promise.all(
      lookups.map(async ({ service, key, last, hit, remote }): Promise<ServiceReport> => {
        try {
          let entry = hit;
          if (entry) options.onStep?.(service.name, "", "cached");
          else {
            const set = await build!(service);
            options.onStep?.(service.name, "", "write");
            await tracer.span("write", () => store.writeImageSet(set), { subject: service.name });
            entry = entryFor(key, set, Date.now());
            await cache.put(entry);
          }
          entries.set(service.name, entry);
          options.onStep?.(service.name, "", "done");
          return report(
            service,
            key,
            entry,
            { cached: Boolean(hit), fromRegistry: remote },
            changeOf(last, entry),
            tracer,
          );
        } catch (error) {
          options.onStep?.(service.name, "", "failed");
          if (!isExpectedError(error) && !isAbort(error)) throw error;
          return { name: service.name, kind: service.kind, status: "failed", error };
        }
      }),
    );
    await tracer.span("tag", () => moveTags(store, entries));
    await cache.setLast(Object.fromEntries([...entries.keys()].map((name) => [name, keys.get(name)!.key])));
    await hasher.save();
    await tracer.span("cache prune", () => maybeAutoPrune(cache, store, options.env));
    return { services: reports, keys, entries, layout: layoutDir, totalMs: tracer.now() - started, tracer };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/** A cache entry whose images are all still in the layout. */
async function lookup(cache: BuildCache, store: LayoutStore, key: Digest): Promise<CacheEntry | undefined> {
  const entry = await cache.get(key);
  if (!entry) return undefined;
  const needed = [entry.top.digest, ...entry.platforms.map((p) => p.manifest.digest)];
  const present = await Promise.all(needed.map((d) => store.hasBlob(d)));
  return present.every(Boolean) ? entry : undefined;
}

function changeOf(last: CacheEntry | undefined, now: CacheEntry): Change {
  if (!last) return "new";
  if (last.key === now.key) return "unchanged";
  return sameImages(last, now) ? "rebuilt-identical" : "changed";
}

/** Rewrite index.json only when some tag moves: a no-op build leaves it untouched. */
async function moveTags(store: LayoutStore, entries: ReadonlyMap<string, CacheEntry>): Promise<void> {
  const wanted: Record<string, Descriptor> = {};
  for (const [name, entry] of entries) Object.assign(wanted, tagsForEntry(name, entry));
  if (Object.keys(wanted).length === 0) return;
  const current = await store.listTags();
  const moved = Object.entries(wanted).filter(([tag, d]) => current[tag]?.digest !== d.digest);
  if (moved.length > 0) await store.tag(Object.fromEntries(moved));
}

function memoizedBases(root: string) {
  const bases = new Map<string, Promise<BaseImage | undefined>>();
  let lock: Promise<LockFile> | undefined;
  return (service: ResolvedService, platform: Platform) => {
    const base = service.base;
    if (base.kind === "scratch") return Promise.resolve(undefined);
    const id = `${base.kind === "layout" ? `${base.layout}\0${base.ref}` : base.image}\0${platformName(platform)}`;
    if (!bases.has(id)) {
      if (base.kind === "layout") bases.set(id, readBaseFromLayout(base.layout, base.ref, platform));
      else {
        lock ??= readLockFile(root);
        bases.set(
          id,
          lock.then(async (locked) => {
            const digest = pinnedDigest(base, locked);
            if (!digest) throw new Error(`internal: ${base.image} has no pinned digest after the lock check`);
            const { registryBase } = await import("../assemble/registry-base.js");
            return registryBase(root, base, digest, platform);
          }),
        );
      }
    }
    return bases.get(id)!;
  };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function report(
  service: ResolvedService,
  key: ServiceKey,
  entry: CacheEntry,
  { cached, fromRegistry }: { cached: boolean; fromRegistry: boolean },
  change: Change,
  tracer: Tracer,
): ServiceReport {
  const writeMs = durationsBySubject(tracer.spans(), service.name)["write"] ?? 0;
  return {
    name: service.name,
    kind: service.kind,
    status: "built",
    cached,
    fromRegistry,
    change,
    key: key.key,
    ref: service.name,
    digest: entry.top.digest,
    platforms: entry.platforms.map((p) => {
      const platform = service.platforms.find((x) => platformName(x) === p.platform)!;
      const steps = durationsBySubject(tracer.spans(), `${service.name} ${platformName(platform)}`);
      return {
        platform: p.platform,
        imageId: p.imageId,
        manifestDigest: p.manifest.digest,
        size: p.size,
        timings: {
          compile: steps["compile"] ?? 0,
          pack: steps["pack"] ?? 0,
          compress: steps["compress"] ?? 0,
          write: cached ? 0 : writeMs / entry.platforms.length,
        },
      };
    }),
  };
}
