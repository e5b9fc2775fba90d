/**
 * `dray status [service…]`: what runs on the target, the commit it was deployed from, since when,
 * what was changed there behind dray's back, and whether the current checkout would change it;
 * changes nothing.
 */
import type { CheckoutVerdict, ServiceStatus } from "../../deploy/index.js";
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

export async function runStatus(names: readonly string[], flags: StatusFlags): Promise<ExitCodeValue> {
  return runReported("status", flags, (tracer) => statusAndReport(names, flags, tracer), {
    summaryOnRequest: true,
  });
}

async function statusAndReport(
  names: readonly string[],
  flags: StatusFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const { readStatus, formatDrift } = await import("../../deploy/index.js");
  const { target, services } = await tracer.span("read status", () =>
    readStatus({
      config,
      ...(flags.target ? { target: flags.target } : {}),
      only: names,
      env: process.env,
      tracer,
    }),
  );
  if (flags.json) {
    const json = {
      target: { name: target.name, kind: target.kind },
      services: services.map((s) => ({ ...s, drift: s.drift.map((d) => ({ ...d, text: formatDrift(d) })) })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return ExitCode.ok;
  }
  const style = outputStyle(process.stdout, process.env);
  const rows = services.map((s) => [
    s.service,
    stateCell(s, style),
    s.imageId ? shortDigest(s.imageId) : "-",
    s.drift.length > 0 ? paint(style, Color.yellow, s.drift.map(formatDrift).join(", ")) : "-",
    s.commit ? `${s.commit.slice(0, 12)}${s.dirty ? " (dirty)" : ""}` : "-",
    s.since ?? "-",
    checkoutCell(s.checkout, style),
  ]);
  const drifted = services.filter((s) => s.drift.length > 0).length;
  const missing = services.filter((s) => !s.deployed).length;
  const lines =
    rows.length > 0
      ? [renderTable(["SERVICE", "STATE", "IMAGE ID", "DRIFT", "COMMIT", "SINCE", "CHECKOUT"], rows)]
      : [];
  lines.push(
    `target ${target.name} (${target.kind}): ${services.length - missing} deployed, ${drifted} drifted` +
      (missing > 0 ? `, ${missing} not on the target` : "") +
      (drifted > 0 ? " — `dray deploy` puts back what dray set" : ""),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
}

function stateCell(s: ServiceStatus, style: OutputStyle): string {
  const text = s.inConfig ? s.state : `${s.state} (not in dray.yaml)`;
  if (!s.deployed) return paint(style, Color.dim, text);
  return paint(style, s.running ? Color.green : Color.red, text);
}

/** What a deploy from this checkout would do: "same", "would change image, spec", "unknown — not built". */
export function checkoutText(verdict: CheckoutVerdict | undefined): string {
  if (!verdict) return "-";
  if (verdict.kind === "same") return "same";
  if (verdict.kind === "unknown") return `unknown — ${verdict.why}`;
  return verdict.what.includes("new") ? "would create" : `would change ${verdict.what.join(", ")}`;
}

function checkoutCell(verdict: CheckoutVerdict | undefined, style: OutputStyle): string {
  const text = checkoutText(verdict);
  if (verdict?.kind === "changes") return paint(style, Color.yellow, text);
  return verdict?.kind === "same" ? text : paint(style, Color.dim, text);
}
