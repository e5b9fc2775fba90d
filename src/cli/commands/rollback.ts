/** `dray rollback [service…]`: each service back to the version its current one replaced, with the deploy's locks and health waits. */
import type { RollbackOutcome } from "../../deploy/index.js";
import {
  ExitCode,
  type ExitCodeValue,
  errorMessage,
  failureExitCode,
  renderError,
} from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { formatMs, renderTable, shortDigest } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { listenForReplaceInterrupt } from "../interrupt.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";
import { lockWaitMs, progressLines } from "./deploy.js";

interface RollbackFlags extends GlobalOptions {
  target?: string;
  json?: boolean;
  lockWait?: string;
}

export async function runRollback(names: readonly string[], flags: RollbackFlags): Promise<ExitCodeValue> {
  return runReported("rollback", flags, (tracer) => rollbackAndReport(names, flags, tracer));
}

async function rollbackAndReport(
  names: readonly string[],
  flags: RollbackFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const waitMs = lockWaitMs(flags.lockWait);
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  const interruption = listenForReplaceInterrupt((text) => process.stderr.write(text));
  let outcome: RollbackOutcome;
  try {
    const { rollbackProject } = await import("../../deploy/index.js");
    outcome = await rollbackProject({
      config,
      ...(flags.target ? { target: flags.target } : {}),
      only: names,
      lockWaitMs: waitMs,
      env: process.env,
      tracer,
      signal: interruption.signal,
      ...progressLines(style, flags.json ?? false),
    });
  } finally {
    interruption.dispose();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(toJson(outcome), null, 2)}\n`);
  else process.stdout.write(`${render(outcome, outputStyle(process.stdout, process.env))}\n`);
  const failed = outcome.services.filter((s) => s.status === "failed");
  for (const f of failed) if (!flags.json) process.stderr.write(`${renderError(f.error, style).text}\n`);
  if (failed.length > 0) return failureExitCode(failed[0]!.error);
  return outcome.interrupted ? ExitCode.failed : ExitCode.ok;
}

function render(outcome: RollbackOutcome, style: OutputStyle): string {
  const rows = outcome.services.map((s) => [
    s.service,
    s.status === "done"
      ? paint(style, Color.green, "rolled back")
      : s.status === "failed"
        ? paint(style, Color.red, "rollback failed")
        : paint(style, Color.yellow, s.status),
    `${shortDigest(s.from ?? "-")} → ${shortDigest(s.to ?? "-")}`,
    formatMs(Object.values(s.steps).reduce((a, b) => a + b, 0)),
  ]);
  const count = (status: string) => outcome.services.filter((s) => s.status === status).length;
  return [
    renderTable(["SERVICE", "RESULT", "IMAGE ID", "TIME"], rows),
    `target ${outcome.target.name} (${outcome.target.kind}): ${count("done")} rolled back` +
      (count("failed") > 0 ? paint(style, Color.red, `, ${count("failed")} failed`) : "") +
      (count("not started") > 0 ? paint(style, Color.yellow, `, ${count("not started")} not started`) : "") +
      ` in ${formatMs(outcome.totalMs)}`,
  ].join("\n");
}

function toJson(outcome: RollbackOutcome) {
  return {
    target: { name: outcome.target.name, kind: outcome.target.kind },
    interrupted: outcome.interrupted,
    totalMs: Math.round(outcome.totalMs),
    services: outcome.services.map((s) => ({
      service: s.service,
      status: s.status,
      from: s.from,
      to: s.to,
      ms: Math.round(s.ms),
      steps: Object.fromEntries(Object.entries(s.steps).map(([k, v]) => [k, Math.round(v)])),
      ...(s.error ? { error: errorMessage(s.error) } : {}),
    })),
  };
}
