/** `dray history SERVICE`: the versions of a service the target keeps (current and previous); changes nothing. */
import type { HistoryEntry } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { renderTable, shortDigest } from "../../report/index.js";
import { Color, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface HistoryFlags extends GlobalOptions {
  target?: string;
  json?: boolean;
}

export async function runHistory(service: string, flags: HistoryFlags): Promise<ExitCodeValue> {
  return runReported("history", flags, (tracer) => historyAndReport(service, flags, tracer), {
    summaryOnRequest: true,
  });
}

async function historyAndReport(
  service: string,
  flags: HistoryFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const { readHistory } = await import("../../deploy/index.js");
  const history = await tracer.span("read history", () =>
    readHistory({ config, ...(flags.target ? { target: flags.target } : {}), service, env: process.env }),
  );
  if (flags.json) {
    const json = {
      target: { name: history.target.name, kind: history.target.kind },
      service,
      state: history.state,
      versions: history.versions,
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return ExitCode.ok;
  }
  const style = outputStyle(process.stdout, process.env);
  const rows = history.versions.map((v) => [
    v.role === "current" ? paint(style, Color.green, "current") : "previous",
    v.imageId ? shortDigest(v.imageId) : "-",
    commitText(v),
    v.since ?? "-",
    v.until ?? "-",
    v.image ?? "-",
  ]);
  const lines = [renderTable(["VERSION", "IMAGE ID", "COMMIT", "SINCE", "UNTIL", "IMAGE"], rows)];
  lines.push(
    `${service} on target ${history.target.name} (${history.target.kind}): ${history.state}` +
      (history.versions.length > 1
        ? ` — \`dray rollback ${service} --target ${history.target.name}\` restores the previous version`
        : " — no previous version kept"),
  );
  process.stdout.write(`${lines.join("\n")}\n`);
  return ExitCode.ok;
}

function commitText(v: HistoryEntry): string {
  return v.commit ? `${v.commit.slice(0, 12)}${v.dirty ? " (dirty)" : ""}` : "-";
}
