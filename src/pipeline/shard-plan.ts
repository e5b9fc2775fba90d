/**
 * The I/O around assignShards for `dray build --shard I/N`: which services need building, what each
 * cost last time, and which of them are this shard's. Every shard of a CI run must reach the same
 * answer, whenever it starts, so the inputs are only what all of them see alike:
 *
 * - the checkout (the services and their input keys), and
 * - with `cache: registry`, the registry. A runner's own local cache is not asked: runners' caches
 *   differ, and two shards that disagree on what needs building could each leave a service to the other.
 *
 * The shards themselves change the registry while others are still starting. So an entry pushed by a
 * shard carries the run's id (a digest of the shard count and every selected service's key) and the
 * cost it was assigned by: a later shard of the same run counts it as still needing a build, at that
 * cost, and reaches the same assignment as the shards that started before it.
 */
import path from "node:path";
import type { CacheEntry, ShardMark } from "../cache/index.js";
import { localImageCache, openBuildCache } from "../cache/index.js";
import { type ResolvedConfig, selectServices } from "../config/index.js";
import { computeServiceKeys, createFileHasher, type ServiceKey } from "../fingerprint/index.js";
import { canonicalJson, type Digest, openLayout, sha256Digest } from "../oci/index.js";
import type { RegistryClient } from "../registry/index.js";
import type { Tracer } from "../report/index.js";
import { assignShards } from "./shard-assignment.js";

/** Shard `index` (from 1) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** One service that needs building: the shard it goes to and the cost (ms) it was assigned by. */
export interface ShardedService {
  service: string;
  shard: number;
  cost?: number;
}

/** What shard `index` of `count` does in this run. */
export interface ShardPlan extends ShardSpec {
  /** The same for every shard of the run: the shard count and every selected service's key. */
  run: Digest;
  /** Every service that needs building, in name order, with its shard. */
  assigned: ShardedService[];
  /** Services a cache held before the run: no shard builds them. */
  cached: string[];
  /** The services this shard builds: its part of `assigned`. */
  mine: string[];
}

/** What planning a shard reads. */
export interface ShardPlanOptions {
  config: ResolvedConfig;
  only: readonly string[];
  shard: ShardSpec;
  env: NodeJS.ProcessEnv;
  tracer: Tracer;
  /** With `cache: registry`: the project's registry, the state every shard shares. */
  registry?: RegistryClient;
  /** The layout local lookups check blobs in (default: the project's). */
  layoutDir?: string;
  /** `--no-cache`: every selected service needs building, whatever the caches hold. */
  noCache?: boolean;
}

/** What the shared state says about one service: built already (by whom), and its last build time. */
interface Probe {
  /** The entry for its current key, if the shared cache has one. */
  current: CacheEntry | undefined;
  /** The newest entry of the service, whatever its key (for the cost). */
  last: () => Promise<CacheEntry | undefined>;
}

/** Plan shard `options.shard`: the same assignment on every runner of the run. */
export async function planShard(options: ShardPlanOptions): Promise<ShardPlan> {
  const { config, tracer, shard } = options;
  const services = selectServices(config, options.only);
  const hasher = await createFileHasher({ cacheFile: path.join(config.state.cache, "stat-cache.tsv") });
  const { keys } = await tracer.span("fingerprint", () =>
    computeServiceKeys(services, { config, env: options.env, hasher, cacheDir: config.state.cache, tracer }),
  );
  await hasher.save();
  const run = runId(keys, shard.count);
  const probe = await prober(options);
  const probed = await tracer.span("shard lookup", () =>
    Promise.all(
      [...keys].map(async ([service, key]) => {
        const found = probe(service, key);
        const answer = await needs(options.noCache ? withoutCurrent(found) : found, run);
        return { service, ...answer };
      }),
    ),
  );
  const needing = probed.filter((p) => p.needs);
  const shards = assignShards(
    needing.map((p) => ({ name: p.service, cost: p.cost })),
    shard.count,
  );
  const assigned = needing
    .map((p) => ({
      service: p.service,
      shard: shards.get(p.service)!,
      ...(p.cost === undefined ? {} : { cost: p.cost }),
    }))
    .sort((a, b) => (a.service < b.service ? -1 : 1));
  return {
    ...shard,
    run,
    assigned,
    cached: probed
      .filter((p) => !p.needs)
      .map((p) => p.service)
      .sort(),
    mine: assigned.filter((a) => a.shard === shard.index).map((a) => a.service),
  };
}

/** The mark a shard of `plan` puts on the entry it pushes for `service`. */
export function shardMark(plan: ShardPlan, service: string): ShardMark {
  const cost = plan.assigned.find((a) => a.service === service)?.cost;
  return { run: plan.run, ...(cost === undefined ? {} : { cost }) };
}

/** Digest of the shard count and every selected service's key: what all shards of one run share. */
export function runId(keys: ReadonlyMap<string, ServiceKey>, count: number): Digest {
  const services = [...keys].map(([name, key]) => [name, key.key]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  return sha256Digest(canonicalJson({ shards: count, services }));
}

/** Whether a service needs building in this run, and at what cost. */
async function needs(
  probe: Promise<Probe>,
  run: Digest,
): Promise<{ needs: boolean; cost: number | undefined }> {
  const { current, last } = await probe;
  // Pushed by a shard of this very run: still "needing", at the cost that run assigned it by.
  if (current?.shard?.run === run) return { needs: true, cost: milliseconds(current.shard.cost) };
  if (current) return { needs: false, cost: undefined };
  const previous = await last();
  if (previous?.shard?.run === run) return { needs: true, cost: milliseconds(previous.shard.cost) };
  return { needs: true, cost: milliseconds(previous?.buildMs) };
}

/** The probe as if the cache had nothing for the current key (`--no-cache`); past build times still count. */
async function withoutCurrent(probe: Promise<Probe>): Promise<Probe> {
  return { ...(await probe), current: undefined };
}

/** A recorded time, if it is one: entries come from a shared registry and are not trusted for more. */
function milliseconds(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Probes the registry (with `cache: registry`), or else the local cache. */
async function prober(
  options: ShardPlanOptions,
): Promise<(service: string, key: ServiceKey) => Promise<Probe>> {
  const { config, registry } = options;
  if (registry) {
    // Loaded only here: a build that does not shard through the registry never needs them.
    const [{ repositoryOf }, { lookupCacheEntry, lookupLastEntry }] = await Promise.all([
      import("../publish/index.js"),
      import("../registry/index.js"),
    ]);
    const target = config.registry!;
    return async (service, key) => {
      const repository = repositoryOf(target, service);
      return {
        current: await lookupCacheEntry(registry, repository, key.key),
        last: () => lookupLastEntry(registry, repository),
      };
    };
  }
  const [buildCache, layout] = await Promise.all([
    openBuildCache(config.state.cache),
    openLayout(options.layoutDir ?? config.state.layout, { create: true }),
  ]);
  const local = localImageCache(buildCache, layout);
  return async (service, key) => ({
    current: (await local.lookup(service, key.key))?.entry,
    last: () => buildCache.last(service),
  });
}
