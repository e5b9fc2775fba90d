/**
 * `dray promote --from A --to B [service…]`: deploy to B the very images A runs (by digest, copied
 * between registries when they differ), then say what was copied and what changed on B.
 */
import type { PromotedImage, PromoteOutcome } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue, failureExitCode, renderError } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { formatBytes, renderTable, shortDigest } from "../../report/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { listenForReplaceInterrupt } from "../interrupt.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";
import { lockWaitMs, progressLines, renderOutcome, toJson } from "./deploy.js";

interface PromoteFlags extends GlobalOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  json?: boolean;
  lockWait?: string;
}

export async function runPromote(names: readonly string[], flags: PromoteFlags): Promise<ExitCodeValue> {
  return runReported("promote", flags, (tracer) => promoteAndReport(names, flags, tracer));
}

async function promoteAndReport(
  names: readonly string[],
  flags: PromoteFlags,
  tracer: Tracer,
): Promise<ExitCodeValue> {
  const waitMs = lockWaitMs(flags.lockWait);
  const config = await loadProjectConfig(flags, tracer);
  const style = outputStyle(process.stderr, process.env);
  const interruption = listenForReplaceInterrupt((text) => process.stderr.write(text));
  let outcome: PromoteOutcome;
  try {
    const { promoteProject } = await import("../../deploy/index.js");
    outcome = await promoteProject({
      config,
      from: flags.from,
      to: flags.to,
      only: names,
      dryRun: flags.dryRun ?? false,
      lockWaitMs: waitMs,
      env: process.env,
      tracer,
      signal: interruption.signal,
      ...progressLines(style, flags.json ?? false),
    });
  } finally {
    interruption.dispose();
  }
  const dryRun = flags.dryRun ?? false;
  if (flags.json) {
    const json = {
      from: { name: outcome.from.name, kind: outcome.from.kind },
      built: false,
      images: outcome.images,
      ...toJson(outcome.deploy, dryRun),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(
      `${renderImages(outcome.images)}\n${renderOutcome(outcome.deploy, style, dryRun)}\n`,
    );
  }
  const failed = outcome.deploy.services.filter((s) => s.status === "failed");
  for (const f of failed) if (!flags.json) process.stderr.write(`${renderError(f.error, style).text}\n`);
  if (failed.length > 0) return failureExitCode(failed[0]!.error);
  return outcome.deploy.interrupted ? ExitCode.failed : ExitCode.ok;
}

function renderImages(images: readonly PromotedImage[]): string {
  const rows = images.map((i) => [
    i.service,
    shortDigest(i.imageId),
    i.copy === "copied"
      ? `copied: ${i.blobs.uploaded} sent (${formatBytes(i.bytesSent)}), ${i.blobs.mounted} mounted, ${i.blobs.present} present`
      : i.copy === "present"
        ? "already in the registry"
        : "would copy what is missing",
    i.to,
  ]);
  return renderTable(["SERVICE", "IMAGE ID", "COPY", "TO"], rows);
}
