/** `dray deploy [service…]`: change only what differs on the target, then say what changed, what was left alone and why. */
import { DURATION_PATTERN, durationMs } from "../../config/index.js";
import type { DeployOutcome, ServiceOutcome } from "../../deploy/index.js";
import {
  ExitCode,
  type ExitCodeValue,
  errorMessage,
  failureExitCode,
  renderError,
  UserError,
} from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { formatMs, renderTable, shortDigest } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { listenForReplaceInterrupt } from "../interrupt.js";
import { loadProjectConfig } from "../load-project.js";
import { openRegistry } from "../open-registry.js";
import { runReported } from "../run-reported.js";

interface DeployFlags extends GlobalOptions {
  target?: string;
  dryRun?: boolean;
  prune?: boolean;
  json?: boolean;
  lockWait?: string;
  keepFailed?: boolean;
}

export async function runDeploy(names: readonly string[], flags: DeployFlags): Promise<ExitCodeValue> {
  return runReported("deploy", flags, (tracer) => deployAndReport(names, flags, tracer));
}

export function lockWaitMs(text: string | undefined): number {
  if (text === undefined) return 0;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (typeof value === "string" && !DURATION_PATTERN.test(value))
    throw new UserError(`--lock-wait: ${JSON.stringify(text)} is not a duration`, {
      exitCode: ExitCode.usage,
      hint: 'Write e.g. "30s", "5m" or a number of seconds.',
    });
  return durationMs(value);
}

/**
 * Where a command that replaces services (deploy, promote, rollback) reports as it goes, on stderr:
 * each service's steps (not with --json), and the lines about the run as a whole — waiting for the
 * deploy lock, taking one over — which are said even with --json.
 */
export function progressLines(
  style: OutputStyle,
  json: boolean,
): { log: (service: string, line: string) => void; notice: (line: string) => void } {
  return {
    log: json
      ? () => {}
      : (service, line) => process.stderr.write(`${paint(style, Color.dim, `${service}:`)} ${line}\n`),
    notice: (line) => process.stderr.write(`${paint(style, Color.yellow, line)}\n`),
  };
}

async function deployAndReport(
  names: readonly string[],
  flags: DeployFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const waitMs = lockWaitMs(flags.lockWait);
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  const interruption = listenForReplaceInterrupt((text) => process.stderr.write(text));
  let outcome: DeployOutcome;
  // With `cache: registry`, images another runner pushed are pulled instead of built.
  const registry = config.cache === "registry" ? await openRegistry(config, config.state.layout) : undefined;
  try {
    const { deployProject } = await import("../../deploy/index.js");
    outcome = await deployProject({
      config,
      ...(flags.target ? { target: flags.target } : {}),
      only: names,
      dryRun: flags.dryRun ?? false,
      prune: flags.prune ?? false,
      ...(flags.keepFailed ? { keepFailed: true } : {}),
      lockWaitMs: waitMs,
      env: process.env,
      tracer,
      signal: interruption.signal,
      ...progressLines(style, flags.json ?? false),
      ...(registry?.registryCache ? { registryCache: registry.registryCache } : {}),
    });
  } finally {
    registry?.client.close();
    interruption.dispose();
  }

  const buildFailures = outcome.build.services.filter((s) => s.status === "failed");
  if (flags.json)
    process.stdout.write(`${JSON.stringify(toJson(outcome, flags.dryRun ?? false), null, 2)}\n`);
  else process.stdout.write(`${renderOutcome(outcome, style, flags.dryRun ?? false)}\n`);
  for (const failure of buildFailures)
    if (failure.status === "failed" && !flags.json)
      process.stderr.write(`${renderError(failure.error, style).text}\n`);
  if (buildFailures.length > 0) {
    const first = buildFailures[0]!;
    return first.status === "failed" ? failureExitCode(first.error) : ExitCode.failed;
  }
  const failed = outcome.services.filter((s) => s.status === "failed");
  // Not started because a dependency failed or is not running: said, and the deploy fails.
  const blocked = outcome.services.filter((s) => s.status === "not started" && s.error !== undefined);
  for (const f of [...failed, ...blocked])
    if (!flags.json) process.stderr.write(`${renderError(f.error, style).text}\n`);
  if (failed.length > 0) return failureExitCode(failed[0]!.error);
  if (blocked.length > 0) return ExitCode.failed;
  return outcome.interrupted ? ExitCode.failed : ExitCode.ok;
}

function actionLabel(s: ServiceOutcome, style: OutputStyle, dryRun: boolean): string {
  if (s.status === "unchanged") return paint(style, Color.dim, "unchanged");
  if (s.status === "failed") return paint(style, Color.red, `${s.action} failed`);
  if (s.status === "not started") return paint(style, Color.yellow, "not started");
  const done = { create: "created", replace: "replaced", remove: "removed", keep: "unchanged" }[s.action];
  const planned = { create: "create", replace: "replace", remove: "remove", keep: "unchanged" }[s.action];
  return paint(style, s.action === "remove" ? Color.yellow : Color.green, dryRun ? `would ${planned}` : done);
}

function imageCell(s: ServiceOutcome): string {
  if (s.action === "replace" && s.from && s.to && s.from !== s.to)
    return `${shortDigest(s.from)} → ${shortDigest(s.to)}`;
  return shortDigest(s.to ?? s.from ?? "-");
}

export function renderOutcome(outcome: DeployOutcome, style: OutputStyle, dryRun: boolean): string {
  const rows = outcome.services.map((s) => [
    s.service,
    actionLabel(s, style, dryRun),
    s.reasons.length > 0 ? s.reasons.join(", ") : "same image and spec",
    imageCell(s),
    s.status === "unchanged" || s.status === "planned"
      ? "-"
      : formatMs(Object.values(s.steps).reduce((a, b) => a + b, 0)),
    Object.entries(s.steps)
      .map(([step, ms]) => `${step} ${formatMs(ms)}`)
      .join(", "),
  ]);
  const lines: string[] = [];
  if (rows.length > 0)
    lines.push(renderTable(["SERVICE", "ACTION", "WHY", "IMAGE ID", "TIME", "STEPS"], rows, [4]));
  const count = (status: ServiceOutcome["status"]) =>
    outcome.services.filter((s) => s.status === status).length;
  const changed = outcome.services.filter((s) => s.action !== "keep").length;
  const summary = dryRun
    ? `target ${outcome.target.name} (${outcome.target.kind}): ${changed} to change, ${count("unchanged")} unchanged — dry run, nothing changed`
    : `target ${outcome.target.name} (${outcome.target.kind}): ${count("done")} changed, ${count("unchanged")} unchanged` +
      (count("failed") > 0 ? paint(style, Color.red, `, ${count("failed")} failed`) : "") +
      (count("not started") > 0 ? paint(style, Color.yellow, `, ${count("not started")} not started`) : "") +
      ` in ${formatMs(outcome.totalMs)}`;
  lines.push(summary);
  if (outcome.skipped.length > 0)
    lines.push(
      paint(
        style,
        Color.dim,
        `not deployed (the image has no entrypoint, files only): ${outcome.skipped.join(", ")}`,
      ),
    );
  return lines.join("\n");
}

export function toJson(outcome: DeployOutcome, dryRun: boolean) {
  return {
    target: { name: outcome.target.name, kind: outcome.target.kind },
    dryRun,
    interrupted: outcome.interrupted,
    totalMs: Math.round(outcome.totalMs),
    services: outcome.services.map((s) => ({
      service: s.service,
      action: s.action,
      status: s.status,
      reasons: s.reasons,
      from: s.from,
      to: s.to,
      ms: Math.round(s.ms),
      steps: Object.fromEntries(Object.entries(s.steps).map(([k, v]) => [k, Math.round(v)])),
      ...(s.error ? { error: errorMessage(s.error) } : {}),
    })),
    skipped: outcome.skipped,
    // How each image came to be: compiled here, or found in the local or the registry's cache.
    build: outcome.build.services.flatMap((s) =>
      s.status === "built"
        ? [
            {
              service: s.name,
              cached: s.cached,
              fromRegistry: s.fromRegistry,
              compileMs: Math.round(s.platforms.reduce((ms, p) => ms + p.timings.compile, 0)),
            },
          ]
        : [],
    ),
    buildFailures: outcome.build.services
      .filter((s) => s.status === "failed")
      .map((s) => ({
        service: s.name,
        error: s.status === "failed" ? errorMessage(s.error) : "",
      })),
  };
}
