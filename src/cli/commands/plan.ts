/** `dray plan` and `dray why`: which services changed since a baseline, and exactly why. */
import path from "node:path";
import { type BuildCache, openBuildCache } from "../../cache/index.js";
import {
  type BaselineService,
  detectChanges,
  gitRefBaseline,
  type KnownImages,
  lastBuildBaseline,
  type ServiceChange,
} from "../../changes/index.js";
import type { ResolvedConfig } from "../../config/index.js";
import { selectServices } from "../../config/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { ServiceKey } from "../../fingerprint/index.js";
import { computeServiceKeys, createFileHasher, describeChange } from "../../fingerprint/index.js";
import type { Digest } from "../../oci/index.js";
import { buildProject } from "../../pipeline/index.js";
import { shortDigest, type Tracer } from "../../report/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";
import { type PlanOutputFlags, paintStatus, writePlan } from "./plan-output.js";

interface PlanFlags extends GlobalOptions, PlanOutputFlags {
  since?: string;
  build?: boolean;
}

/** Run `dray plan [service…]`. */
export function runPlan(names: readonly string[], flags: PlanFlags): Promise<ExitCodeValue> {
  return runReported("plan", flags, (tracer) => plan(names, flags, tracer), { summaryOnRequest: true });
}

/** Run `dray why <service>`. */
export function runWhy(service: string, flags: PlanFlags): Promise<ExitCodeValue> {
  return runReported("why", flags, (tracer) => why(service, flags, tracer), { summaryOnRequest: true });
}

async function plan(names: readonly string[], flags: PlanFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const { changes, baselineName } = await compareWithBaseline(names, flags, tracer);
  return writePlan(changes, baselineName, flags, process.env);
}

async function why(service: string, flags: PlanFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const { changes, baselineName } = await compareWithBaseline([service], flags, tracer);
  const entry = changes.find((e) => e.service === service)!;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ baseline: baselineName, ...entry }, null, 2)}\n`);
    return ExitCode.ok;
  }
  const style = outputStyle(process.stdout, process.env);
  const lines = [`${entry.service}: ${paintStatus(style, entry.status)} (vs ${baselineName})`];
  if (entry.baselineKey) lines.push(`  baseline key ${shortDigest(entry.baselineKey)}`);
  if (entry.key) lines.push(`  current key  ${shortDigest(entry.key)}`);
  if (entry.status === "unchanged") lines.push("  every input is the same: nothing to build or deploy");
  if (entry.status === "new") lines.push("  the baseline has no build of this service");
  if (entry.status === "rebuilt-identical") {
    lines.push("  the inputs below changed, but the rebuilt image ID is the same: nothing to deploy");
  }
  // The same changes on every platform are shown once.
  const groups = new Map<string, string[]>();
  for (const p of entry.platforms) {
    const text = p.changes.map((c) => `    ${describeChange(c)}`).join("\n");
    groups.set(text, [...(groups.get(text) ?? []), p.platform]);
  }
  for (const [text, platforms] of groups) {
    lines.push(
      `  ${platforms.length === entry.platforms.length ? "all platforms" : platforms.join(", ")}:`,
      text,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
}

/** The selected services' changes against the baseline `--since` names (default: the last build). */
async function compareWithBaseline(
  names: readonly string[],
  flags: PlanFlags,
  tracer: Tracer,
): Promise<{ changes: ServiceChange[]; baselineName: string }> {
  const config = await loadProjectConfig(flags, tracer);
  const services = selectServices(config, names);
  const cache = await openBuildCache(config.state.cache);
  // The baseline is read before anything is built: a build moves "last build" forward.
  const baseline = await tracer.span("baseline", () =>
    flags.since
      ? gitRefBaseline(config, flags.since, { env: process.env, cache, tracer })
      : lastBuildBaseline(cache),
  );
  const wanted = new Set(services.map((s) => s.name));
  const scoped = new Map<string, BaselineService>(
    [...baseline].filter(([service]) => names.length === 0 || wanted.has(service)),
  );

  let keys: ReadonlyMap<string, ServiceKey>;
  let images: KnownImages;
  if (flags.build) {
    const outcome = await buildProject({ config, only: names, env: process.env, tracer });
    keys = outcome.keys;
    images = new Map(
      outcome.services.flatMap((r) =>
        r.status === "built"
          ? [[r.name, new Map(r.platforms.map((p) => [p.platform, p.imageId]))] as const]
          : [],
      ),
    );
  } else {
    keys = await tracer.span("input keys", () => currentKeys(config, services, tracer));
    images = await tracer.span("cache lookup", () => knownImages(cache, keys));
  }
  const changes = detectChanges(keys, scoped, images);
  return { changes, baselineName: flags.since ? flags.since : "the last build" };
}

async function currentKeys(
  config: ResolvedConfig,
  services: ReturnType<typeof selectServices>,
  tracer: Tracer,
) {
  const cacheDir = config.state.cache;
  const hasher = await createFileHasher({ cacheFile: path.join(cacheDir, "stat-cache.tsv") });
  const { keys } = await computeServiceKeys(services, { config, env: process.env, hasher, cacheDir, tracer });
  await hasher.save();
  return keys;
}

/** Image IDs for keys the cache already holds: a rebuild that happened before, e.g. on another branch. */
async function knownImages(cache: BuildCache, keys: ReadonlyMap<string, ServiceKey>): Promise<KnownImages> {
  const out = new Map<string, Map<string, Digest>>();
  await Promise.all(
    [...keys].map(async ([service, key]) => {
      const entry = await cache.get(key.key);
      if (entry) out.set(service, new Map(entry.platforms.map((p) => [p.platform, p.imageId])));
    }),
  );
  return out;
}
