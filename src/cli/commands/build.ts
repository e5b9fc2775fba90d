/** `dray build [service…]`: build, then report image IDs, digests, sizes and where the time went. */
import path from "node:path";
import type { ResolvedConfig } from "../../config/index.js";
import {
  ExitCode,
  type ExitCodeValue,
  errorJson,
  failureExitCode,
  interruptedError,
  renderError,
} from "../../errors/index.js";
import {
  type BuildOutcome,
  buildProject,
  publishBuilt,
  type ServiceReport,
  type ShardPlan,
  type ShardSpec,
} from "../../pipeline/index.js";
import type { PublishReport } from "../../publish/index.js";
import type { PushEvent } from "../../registry/index.js";
import type { Tracer } from "../../report/index.js";
import { createProgress, formatBytes, formatMs, renderTable, shortDigest } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { listenForInterrupt } from "../interrupt.js";
import { loadProjectConfig } from "../load-project.js";
import { openRegistry } from "../open-registry.js";
import { runReported } from "../run-reported.js";
import { markedEntries, planShardOf, renderShard, shardJson } from "./build-shard.js";
import { pushJson, renderPushTable } from "./push-report.js";

interface BuildFlags extends GlobalOptions {
  json?: boolean;
  /** Push what was built (`--push`, or the `push` command). */
  push?: boolean;
  /** Tags to push under (`--tag`, repeatable); default "latest". */
  tag?: string[];
  /** commander's `--no-cache` sets this false. */
  cache?: boolean;
  jobs?: number;
  layout?: string;
  /** `--sign-key`: sign what is pushed with this key (instead of dray.yaml's `sign.key`). */
  signKey?: string;
  /** `--shard I/N`: build only this runner's share of what needs building. */
  shard?: ShardSpec;
}

/** Run `dray build`; the trace (`--trace`) is written even when it fails, the timing summary when it ran. */
export async function runBuild(names: readonly string[], flags: BuildFlags): Promise<ExitCodeValue> {
  return runReported("build", flags, (tracer) => buildAndReport(names, flags, tracer));
}

/** Ctrl-C stops the build cleanly (see interrupt.ts): from the first step on, not only once it compiles. */
async function buildAndReport(
  names: readonly string[],
  flags: BuildFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const style = outputStyle(process.stderr, process.env);
  const interruption = listenForInterrupt((text) =>
    process.stderr.write(`\n${paint(style, Color.yellow, text)}\n`),
  );
  try {
    return await buildWith(names, flags, tracer, interruption.signal);
  } finally {
    interruption.dispose();
  }
}

async function buildWith(
  requested: readonly string[],
  flags: BuildFlags,
  tracer: Tracer,
  signal: AbortSignal,
): Promise<ExitCodeValue> {
  let names = requested;
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  // A registry client only when this run talks to the registry: pushing, or the shared cache.
  const registry =
    flags.push || config.cache === "registry"
      ? await openRegistry(config, layoutOf(config, flags))
      : undefined;
  let plan: ShardPlan | undefined;
  if (flags.shard) {
    plan = await planShardOf(config, names, flags.shard, {
      dir: flags.dir,
      layout: flags.layout,
      noCache: flags.cache === false,
      tracer,
      registry: registry?.registryCache ? registry.client : undefined,
    });
    if (!flags.json) process.stderr.write(`${renderShard(plan, style)}\n`);
    if (plan.mine.length === 0) {
      registry?.client.close();
      if (flags.json)
        process.stdout.write(
          `${JSON.stringify({ services: [], shard: shardJson(plan, undefined) }, null, 2)}\n`,
        );
      return ExitCode.ok;
    }
    names = plan.mine;
  }
  const selected = names.length > 0 ? names : config.services.map((s) => s.name);
  const progress = flags.json ? undefined : createProgress(process.stderr, style, selected);
  // Opened before building, so that a key that does not open stops the run before anything is pushed.
  const attester = flags.push ? await openPushAttester(config, flags) : undefined;
  let outcome: BuildOutcome;
  let pushed: PublishReport[] | undefined;
  try {
    outcome = await buildProject({
      config,
      only: names,
      env: process.env,
      tracer,
      ...(flags.layout ? { layoutDir: path.resolve(flags.dir, flags.layout) } : {}),
      ...(flags.jobs ? { jobs: flags.jobs } : {}),
      ...(flags.cache === false ? { noCache: true } : {}),
      ...(registry?.registryCache ? { registryCache: registry.registryCache } : {}),
      ...(progress ? { onStep: (service, platform, step) => progress.update(service, platform, step) } : {}),
      signal,
    });
    // Marked in the local cache too: later shards that share this cache (no registry) agree with this one.
    if (plan)
      outcome = { ...outcome, entries: await markedEntries(plan, outcome.entries, config.state.cache) };
    if (flags.push && signal.aborted) {
      throw interruptedError("the images are built and tagged in the layout; nothing was pushed");
    }
    if (flags.push && registry && outcome.entries.size > 0) {
      const moved = new Map<string, { sent: number; skipped: number }>();
      pushed = await tracer.span("push", () =>
        publishBuilt(outcome, registry.layout, {
          config,
          client: registry.client,
          tags: flags.tag && flags.tag.length > 0 ? flags.tag : ["latest"],
          tracer,
          ...(attester ? { attester } : {}),
          ...(progress
            ? {
                onProgress: (service: string, event: PushEvent) => {
                  if (event.type !== "blob-done") return;
                  const m = moved.get(service) ?? { sent: 0, skipped: 0 };
                  if (event.action === "uploaded") m.sent += event.size;
                  else m.skipped += event.size;
                  moved.set(service, m);
                  progress.update(
                    service,
                    "",
                    `pushing: ${formatBytes(m.sent)} sent, ${formatBytes(m.skipped)} skipped`,
                  );
                },
              }
            : {}),
        }),
      );
    }
  } finally {
    progress?.finish();
    registry?.client.close();
  }

  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          ...toJson(outcome),
          ...(pushed ? { push: pushJson(pushed) } : {}),
          ...(plan ? { shard: shardJson(plan, outcome) } : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(`${renderSummary(outcome, style)}\n`);
    if (pushed) process.stdout.write(`${renderPushTable(pushed, style)}\n`);
    for (const report of outcome.services) {
      if (report.status === "failed") process.stderr.write(`${renderError(report.error, style).text}\n`);
    }
  }
  for (const report of outcome.services) {
    if (report.status === "failed") return failureExitCode(report.error);
  }
  return ExitCode.ok;
}

/** The machine-readable result; errors become their message, details and hint. */
export function toJson(outcome: BuildOutcome) {
  return {
    layout: outcome.layout,
    totalMs: Math.round(outcome.totalMs),
    services: outcome.services.map((report) =>
      report.status === "built"
        ? {
            ...report,
            platforms: report.platforms.map((p) => ({ ...p, timings: roundAll(p.timings) })),
          }
        : { name: report.name, kind: report.kind, status: report.status, error: errorJson(report.error) },
    ),
  };
}

function roundAll(timings: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}

/** The build table and the one-line summary under it. */
export function renderSummary(outcome: BuildOutcome, style: OutputStyle): string {
  const rows: string[][] = [];
  const built = outcome.services.filter(
    (s): s is Extract<ServiceReport, { status: "built" }> => s.status === "built",
  );
  const dash = (ms: number, cached: boolean) => (cached ? paint(style, Color.dim, "-") : formatMs(ms));
  for (const report of built) {
    for (const p of report.platforms) {
      rows.push([
        report.name,
        p.platform,
        statusLabel(report, style),
        shortDigest(p.imageId),
        formatBytes(p.size),
        dash(p.timings.compile, report.cached),
        dash(p.timings.pack, report.cached),
        dash(p.timings.write, report.cached),
      ]);
    }
  }
  const failed = outcome.services.length - built.length;
  // Each service counted once: from cache, rebuilt into the image it already had, or built anew.
  const cached = built.filter((s) => s.cached).length;
  const identical = built.filter((s) => !s.cached && s.change === "rebuilt-identical").length;
  const fresh = built.length - cached - identical;
  const table = renderTable(
    ["SERVICE", "PLATFORM", "STATUS", "IMAGE ID", "SIZE", "COMPILE", "PACK", "WRITE"],
    rows,
    [4, 5, 6, 7],
  );
  const summary =
    `${built.length} service${built.length === 1 ? "" : "s"}: ${fresh} built` +
    (identical > 0 ? `, ${identical} rebuilt into an identical image` : "") +
    `, ${cached} from cache` +
    ` in ${formatMs(outcome.totalMs)} → ${path.relative(process.cwd(), outcome.layout) || outcome.layout}` +
    (failed > 0 ? paint(style, Color.red, `; ${failed} failed`) : "");
  return rows.length > 0 ? `${table}\n${summary}` : summary;
}

/** cached / new / changed / rebuilt, identical — how this build relates to the service's last one. */
function statusLabel(report: Extract<ServiceReport, { status: "built" }>, style: OutputStyle): string {
  if (report.cached)
    return paint(style, Color.dim, report.change === "unchanged" ? "cached" : `cached (${report.change})`);
  if (report.change === "rebuilt-identical") return paint(style, Color.cyan, "rebuilt, identical");
  return paint(style, report.change === "new" ? Color.green : Color.yellow, report.change);
}

/** What attaches SBOMs, provenance and signatures to pushed images; loaded only for a push. */
async function openPushAttester(config: ResolvedConfig, flags: BuildFlags) {
  const { openAttester } = await import("../../attest/index.js");
  return openAttester(config, {
    ...(flags.signKey ? { signKey: path.resolve(flags.dir, flags.signKey) } : {}),
    env: process.env,
  });
}

/** The layout this run writes: `--layout`, or the project's. */
function layoutOf(config: ResolvedConfig, flags: BuildFlags): string {
  return flags.layout ? path.resolve(flags.dir, flags.layout) : config.state.layout;
}
