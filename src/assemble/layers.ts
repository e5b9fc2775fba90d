/** Turning tar entries into layers, with packing and compression timed as separate steps. */
import type { FileMapping } from "../config/index.js";
import { listMappedFiles } from "../fingerprint/index.js";
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

/**
 * The tar entries for a service's `files:` mappings: each source resolved and listed by
 * `listMappedFiles`, the same listing the key hashed, so what the image holds is what the key covers.
 */
export async function collectMappings(
  mappings: readonly FileMapping[],
  context: string,
): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for (const mapping of mappings) {
    const source = await listMappedFiles(mapping.from, context);
    if (source.kind === "file") {
      entries.push(await collectFile(source.real, mapping.to));
      continue;
    }
    const only = new Set([...source.directories, ...source.files]);
    entries.push(...(await collectDirectory(source.real, mapping.to, { context, only })));
  }
  return entries;
}
