/** Turning tar entries into layers, with packing and compression timed as separate steps. */
import { stat } from "node:fs/promises";
import type { FileMapping } from "../config/index.js";
import type { Layer, TarEntry, TarOptions } from "../oci/index.js";
import {
  collectDirectory,
  collectFile,
  DEFAULT_GZIP_LEVEL,
  gzipDeterministicAsync,
  layerFromParts,
  writeTar,
} from "../oci/index.js";
import type { StepClock } from "../report/index.js";

/** Pack `entries` into a deterministic tar ("pack"), then gzip it ("compress"). */
export async function makeLayer(
  entries: readonly TarEntry[],
  options: TarOptions & { comment: string },
  clock: StepClock<"pack" | "compress">,
): Promise<Layer> {
  const tar = await clock.time("pack", async () => writeTar(entries, options));
  const gz = await clock.time("compress", () => gzipDeterministicAsync(tar, DEFAULT_GZIP_LEVEL));
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
