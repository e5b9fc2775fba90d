/** Turning tar entries into layers, with packing and compression timed as separate steps. */
import { stat } from "node:fs/promises";
import type { FileMapping } from "../config/types.js";
import { collectDirectory, collectFile } from "../oci/collect.js";
import { DEFAULT_GZIP_LEVEL, gzipDeterministicAsync } from "../oci/gzip.js";
import { layerFromParts } from "../oci/layer.js";
import type { TarEntry, TarOptions } from "../oci/tar.js";
import { writeTar } from "../oci/tar.js";
import type { Layer } from "../oci/types.js";
import type { Tracer } from "../report/trace.js";

/** Where a layer's time goes, for the span names. */
export interface LayerTiming {
  tracer: Tracer;
  subject: string;
}

/** Pack `entries` into a deterministic tar ("pack"), then gzip it ("compress"). */
export async function makeLayer(
  entries: readonly TarEntry[],
  options: TarOptions & { comment: string },
  timing: LayerTiming,
): Promise<Layer> {
  const tar = await timing.tracer.span("pack", async () => writeTar(entries, options), {
    subject: timing.subject,
  });
  const gz = await timing.tracer.span("compress", () => gzipDeterministicAsync(tar, DEFAULT_GZIP_LEVEL), {
    subject: timing.subject,
  });
  return layerFromParts(tar, gz, options.comment);
}

/** The tar entries for a service's `files:` mappings (directories walked, symlinks checked against the context). */
export async function collectMappings(
  mappings: readonly FileMapping[],
  context: string,
): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for (const mapping of mappings) {
    const info = await stat(mapping.from);
    if (info.isDirectory()) entries.push(...(await collectDirectory(mapping.from, mapping.to, { context })));
    else entries.push(...[await collectFile(mapping.from, mapping.to)].flat());
  }
  return entries;
}
