/** What `dray build --shard I/N` adds to the build's report: which services this shard took on. */
import path from "node:path";
import { type CacheEntry, openBuildCache } from "../../cache/index.js";
import type { ResolvedConfig } from "../../config/index.js";
import {
  type BuildOutcome,
  planShard,
  type ShardPlan,
  type ShardSpec,
  shardMark,
} from "../../pipeline/index.js";
import type { RegistryClient } from "../../registry/index.js";
import type { Tracer } from "../../report/index.js";
import { Color, type OutputStyle, paint } from "../../terminal/index.js";

/** This runner's share of the work: the registry is asked with `cache: registry`, else the local cache. */
export function planShardOf(
  config: ResolvedConfig,
  names: readonly string[],
  shard: ShardSpec,
  where: {
    dir: string;
    layout: string | undefined;
    noCache: boolean;
    tracer: Tracer;
    registry: RegistryClient | undefined;
  },
): Promise<ShardPlan> {
  return where.tracer.span("shard plan", () =>
    planShard({
      config,
      only: names,
      shard,
      env: process.env,
      tracer: where.tracer,
      ...(where.registry ? { registry: where.registry } : {}),
      ...(where.layout ? { layoutDir: path.resolve(where.dir, where.layout) } : {}),
      noCache: where.noCache,
    }),
  );
}

/** What happened to one service in this shard. */
export type ShardAction = "built" | "cached" | "skipped";

/** Per service: built here, found in a cache (before the run, or here), or left to another shard. */
export function shardJson(plan: ShardPlan, outcome: BuildOutcome | undefined) {
  const reports = new Map(outcome?.services.map((s) => [s.name, s]) ?? []);
  const services = [
    ...plan.assigned.map((a) => {
      const report = reports.get(a.service);
      const action: ShardAction | "failed" =
        a.shard !== plan.index
          ? "skipped"
          : report?.status === "failed"
            ? "failed"
            : report?.status === "built" && report.cached
              ? "cached"
              : "built";
      return {
        service: a.service,
        shard: a.shard,
        action,
        ...(a.cost === undefined ? {} : { cost: a.cost }),
      };
    }),
    ...plan.cached.map((service) => ({ service, action: "cached" as const })),
  ].sort((a, b) => (a.service < b.service ? -1 : 1));
  return { index: plan.index, count: plan.count, run: plan.run, services };
}

/** One line for the terminal: what this shard builds and what it leaves to others. */
export function renderShard(plan: ShardPlan, style: OutputStyle): string {
  const others = plan.assigned.filter((a) => a.shard !== plan.index);
  const list = (names: string[]) => (names.length > 0 ? `: ${names.join(", ")}` : "");
  return (
    `shard ${plan.index}/${plan.count}: ${plan.mine.length} to build${list(plan.mine)}` +
    paint(
      style,
      Color.dim,
      `; ${others.length} on other shards${list(others.map((o) => `${o.service} (${o.shard})`))}` +
        `; ${plan.cached.length} cached before this run${list(plan.cached)}`,
    )
  );
}

/**
 * The entries this shard built or found, marked with its run so that later shards of the run agree
 * with it; with `cacheDir`, the marked entries are also stored in the local build cache.
 */
export async function markedEntries(
  plan: ShardPlan,
  entries: ReadonlyMap<string, CacheEntry>,
  cacheDir?: string,
): Promise<Map<string, CacheEntry>> {
  const marked = new Map(
    [...entries].map(([service, entry]) => [service, { ...entry, shard: shardMark(plan, service) }]),
  );
  if (cacheDir !== undefined) {
    const cache = await openBuildCache(cacheDir);
    for (const entry of marked.values()) await cache.put(entry);
  }
  return marked;
}
