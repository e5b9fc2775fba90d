/** How `dray build --push` / `dray push` report what went over the wire. */
import type { PublishReport } from "../../publish/index.js";
import { formatBytes, formatMs, renderTable, shortDigest } from "../../report/index.js";
import { Color, type OutputStyle, paint } from "../../terminal/index.js";

/** One row per service: bytes sent against bytes the registry already had, blob actions, time. */
export function renderPushTable(reports: readonly PublishReport[], style: OutputStyle): string {
  const rows = reports.map((r) => {
    const count = (action: string) => r.result.blobs.filter((b) => b.action === action).length;
    return [
      r.service,
      formatBytes(r.result.bytesSent),
      paint(style, Color.dim, formatBytes(r.result.bytesSkipped)),
      `${count("uploaded")}/${count("mounted")}/${count("exists")}`,
      formatMs(r.ms),
      `${r.reference.slice(0, r.reference.indexOf("@"))}@${shortDigest(r.digest)}`,
    ];
  });
  const sent = reports.reduce((n, r) => n + r.result.bytesSent, 0);
  const skipped = reports.reduce((n, r) => n + r.result.bytesSkipped, 0);
  const lines = [
    renderTable(["SERVICE", "SENT", "SKIPPED", "UP/MOUNT/HAD", "TIME", "IMAGE"], rows, [1, 2, 4]),
    `pushed ${reports.length} service${reports.length === 1 ? "" : "s"}: ${formatBytes(sent)} sent, ${formatBytes(skipped)} already there`,
  ];
  const formed = reports.filter((r) => r.layers);
  if (formed.length > 0) {
    const sum = (pick: (l: NonNullable<PublishReport["layers"]>) => number) =>
      formed.reduce((n, r) => n + pick(r.layers!), 0);
    lines.push(
      `layers gzipped for the registry: ${sum((l) => l.compressed)} now, ${sum((l) => l.reused)} reused from earlier, ${sum((l) => l.remote)} already in the registry`,
    );
  }
  const attested = reports.filter((r) => r.attestations);
  if (attested.length > 0) {
    const sum = (pick: (a: NonNullable<PublishReport["attestations"]>) => number) =>
      attested.reduce((n, r) => n + pick(r.attestations!), 0);
    const signed = sum((a) => a.signed);
    lines.push(
      `attached ${sum((a) => a.put)} referrers (SBOM, provenance${signed > 0 ? ", signatures" : ""}), ${sum((a) => a.existing)} already there` +
        (signed > 0 ? `; ${signed} manifest${signed === 1 ? "" : "s"} signed` : ""),
    );
  }
  return lines.join("\n");
}

/** The push part of `--json` output. */
export function pushJson(reports: readonly PublishReport[]) {
  return reports.map((r) => ({
    service: r.service,
    reference: r.reference,
    bytesSent: r.result.bytesSent,
    bytesSkipped: r.result.bytesSkipped,
    blobs: r.result.blobs,
    tags: r.result.tags,
    ...(r.layers ? { layers: r.layers } : {}),
    ...(r.attestations ? { attestations: r.attestations } : {}),
    ms: Math.round(r.ms),
  }));
}
