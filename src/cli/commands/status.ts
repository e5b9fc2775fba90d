/** `dray status [-t TARGET]`: what the target runs of the project and what changed there behind dray's back; changes nothing. */
import type { TargetStatus } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { renderTable, shortDigest } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface StatusFlags extends GlobalOptions {
  target?: string;
  json?: boolean;
}

export async function runStatus(flags: StatusFlags): Promise<ExitCodeValue> {
  return runReported("status", flags, (tracer) => status(flags, tracer), { summaryOnRequest: true });
}

async function status(flags: StatusFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const { readStatus } = await import("../../deploy/index.js");
  const result = await tracer.span("read live state", () => readStatus(config, flags.target, process.env));
  if (flags.json) process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else process.stdout.write(`${render(result, outputStyle(process.stdout, process.env))}\n`);
  return ExitCode.ok;
}

function render(result: TargetStatus, style: OutputStyle): string {
  const rows = result.services.map((s) => [
    s.name,
    s.imageId ? shortDigest(s.imageId) : "-",
    s.running ? "running" : paint(style, Color.yellow, "not running"),
    s.drift && s.drift.length > 0
      ? paint(style, Color.yellow, `drifted: ${s.drift.join("; ")}`)
      : "as deployed",
  ]);
  for (const name of result.missing) rows.push([name, "-", paint(style, Color.dim, "not deployed"), "-"]);
  const lines: string[] = [];
  if (rows.length > 0) lines.push(renderTable(["SERVICE", "IMAGE ID", "STATE", "DRIFT"], rows));
  const drifted = result.services.filter((s) => s.drift && s.drift.length > 0).length;
  lines.push(
    `target ${result.target.name} (${result.target.kind}): ${result.services.length} deployed, ${drifted} drifted` +
      (result.missing.length > 0 ? `, ${result.missing.length} not deployed` : "") +
      (drifted > 0 ? " — `dray deploy` applies the drifted services again" : ""),
  );
  return lines.join("\n");
}

function toJson(result: TargetStatus) {
  return {
    target: { name: result.target.name, kind: result.target.kind },
    services: result.services.map((s) => ({
      service: s.name,
      imageId: s.imageId,
      specDigest: s.specDigest,
      running: s.running,
      drift: s.drift ?? [],
    })),
    missing: result.missing,
  };
}
