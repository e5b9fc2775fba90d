/** `dray cache info` and `dray cache prune`: what the local build cache holds, and keeping it bounded. `dray cache check` is in cache-check.ts. */
import path from "node:path";
import type { CacheInfo, PruneResult } from "../../cache/index.js";
import {
  CACHE_LIMIT_VARIABLE,
  defaultCacheLimit,
  openBuildCache,
  parseSizeOrThrow,
} from "../../cache/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import { openLayout } from "../../oci/index.js";
import { formatBytes, renderTable, shortDigest, type Tracer } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface CacheInfoFlags extends GlobalOptions {
  json?: boolean;
}

interface CachePruneFlags extends GlobalOptions {
  json?: boolean;
  maxSize?: string;
  dryRun?: boolean;
}

/** The size limit and where it came from, for reports. */
export interface CacheLimit {
  bytes: number;
  source: "default" | typeof CACHE_LIMIT_VARIABLE | "--max-size";
}

/** Run `dray cache info`. */
export function runCacheInfo(flags: CacheInfoFlags): Promise<ExitCodeValue> {
  return runReported("cache info", flags, (tracer) => cacheInfo(flags, tracer), { summaryOnRequest: true });
}

/** Run `dray cache prune`. */
export function runCachePrune(flags: CachePruneFlags): Promise<ExitCodeValue> {
  return runReported("cache prune", flags, (tracer) => cachePrune(flags, tracer), { summaryOnRequest: true });
}

async function cacheInfo(flags: CacheInfoFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const { cacheDir } = await tracer.span("load config", () => projectDirs(flags));
  const limit = envLimit(process.env);
  const info = await tracer.span("read cache", async () => (await openBuildCache(cacheDir)).info());
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...info, limit: limit.bytes }, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderInfo(info, limit, Date.now(), process.cwd())}\n`);
  }
  return ExitCode.ok;
}

async function cachePrune(flags: CachePruneFlags, tracer: Tracer): Promise<ExitCodeValue> {
  // Parsed before anything is opened, so a typo in --max-size changes nothing.
  const limit: CacheLimit =
    flags.maxSize === undefined
      ? envLimit(process.env)
      : { bytes: parseSizeOrThrow(flags.maxSize, "--max-size"), source: "--max-size" };
  const { cacheDir, layoutDir } = await tracer.span("load config", () => projectDirs(flags));
  const [cache, layout] = await Promise.all([
    openBuildCache(cacheDir),
    openLayout(layoutDir, { create: true }),
  ]);
  const dryRun = flags.dryRun ?? false;
  const result = await tracer.span("prune", () => cache.prune({ maxBytes: limit.bytes, layout, dryRun }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ dryRun, limit: limit.bytes, ...result }, null, 2)}\n`);
  } else {
    const style = outputStyle(process.stdout, process.env);
    process.stdout.write(`${renderPrune(result, limit, { dryRun, now: Date.now(), style })}\n`);
  }
  return ExitCode.ok;
}

/** The human-readable `dray cache info`. */
export function renderInfo(info: CacheInfo, limit: CacheLimit, now: number, cwd: string): string {
  const used = limit.bytes > 0 ? ` (${Math.round((info.bytes / limit.bytes) * 100)}%)` : "";
  const rows = [
    ["cache", path.relative(cwd, info.dir) || info.dir],
    ["entries", `${plural(info.entries, "entry", "entries")} for ${plural(info.services, "service")}`],
    ["size", `${formatBytes(info.bytes)} of ${formatBytes(limit.bytes)}${used}`],
    ["limit", limitSource(limit)],
  ];
  if (info.oldestUse !== undefined && info.newestUse !== undefined) {
    rows.push(
      ["oldest use", formatWhen(info.oldestUse, now)],
      ["newest use", formatWhen(info.newestUse, now)],
    );
  }
  const width = Math.max(...rows.map(([label]) => label!.length));
  return rows.map(([label, value]) => `${label!.padEnd(width)}  ${value}`).join("\n");
}

/** The human-readable `dray cache prune`: what was (or would be) evicted, then one summary line. */
export function renderPrune(
  result: PruneResult,
  limit: CacheLimit,
  options: { dryRun: boolean; now: number; style: OutputStyle },
): string {
  const [evict, remove] = options.dryRun ? ["would evict", "would remove"] : ["evicted", "removed"];
  const lines: string[] = [];
  if (result.evicted.length > 0) {
    const rows = result.evicted.map((e) => [
      e.service,
      shortDigest(e.key),
      formatWhen(e.lastUsed, options.now),
    ]);
    lines.push(renderTable(["SERVICE", "KEY", "LAST USED"], rows));
  }
  const evicted =
    result.evicted.length > 0
      ? `${evict} ${plural(result.evicted.length, "entry", "entries")}`
      : `nothing to evict`;
  const removed = `${remove} ${plural(result.blobsRemoved, "blob")} (${formatBytes(result.bytesFreed)})`;
  const after = `cache ${options.dryRun ? "would be" : "is"} ${formatBytes(result.bytesAfter)} of ${formatBytes(limit.bytes)} (${limitSource(limit)})`;
  const summary = `${evicted}, ${removed}; ${after}`;
  lines.push(options.dryRun ? paint(options.style, Color.yellow, `dry run: ${summary}`) : summary);
  return lines.join("\n");
}

/** "2025-01-02 10:11 UTC (3 days ago)": absolute for scripts and logs, relative for people. */
export function formatWhen(ms: number, now: number): string {
  const absolute = `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `${absolute} (${formatAgo(now - ms)})`;
}

function formatAgo(ms: number): string {
  const units: [string, number][] = [
    ["day", 86_400_000],
    ["hour", 3_600_000],
    ["minute", 60_000],
  ];
  for (const [unit, size] of units) {
    if (ms >= size) return `${plural(Math.floor(ms / size), unit)} ago`;
  }
  return "just now";
}

/** "1 entry", "2 entries". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function limitSource(limit: CacheLimit): string {
  if (limit.source === "default") return `default; set ${CACHE_LIMIT_VARIABLE} to change it`;
  return `from ${limit.source}`;
}

function envLimit(env: NodeJS.ProcessEnv): CacheLimit {
  const bytes = defaultCacheLimit(env);
  return { bytes, source: env[CACHE_LIMIT_VARIABLE]?.trim() ? CACHE_LIMIT_VARIABLE : "default" };
}

/** The project's cache and image layouts, found from dray.yaml like every other command. */
export async function projectDirs(
  flags: GlobalOptions,
): Promise<{ cacheDir: string; layoutDir: string; basesDir: string }> {
  const config = await loadProjectConfig(flags);
  return {
    cacheDir: config.state.cache,
    layoutDir: config.state.layout,
    basesDir: config.state.bases,
  };
}
