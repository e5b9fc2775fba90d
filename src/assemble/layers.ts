/** Turning tar entries into layers: entries collected, then streamed as a tar into a file — all of it "pack". */
import type { FileMapping } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { listMappedFiles } from "../fingerprint/index.js";
import type { Layer, TarEntry, TarOptions } from "../oci/index.js";
import { collectDirectory, collectFile, packLayer } from "../oci/index.js";
import type { StepClock } from "../report/index.js";

/** Where and how many layers are packed at once. */
export interface LayerSink {
  /** The build's scratch directory: packed layers wait there until the layout takes them. */
  readonly dir: string;
  /**
   * Runs one pack under a limit of its own: each holds two open files, and a batch of compiles can hand
   * over hundreds of binaries in one tick.
   */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
}

/**
 * Pack `entries` into a deterministic tar, hashed (the diff_id) and written uncompressed into a file in
 * `sink.dir`: one stream, timed as "pack" like the collecting before it. Nothing is compressed here.
 */
export function makeLayer(
  entries: readonly TarEntry[],
  options: TarOptions & { comment: string },
  clock: StepClock<"pack">,
  sink: LayerSink,
): Promise<Layer> {
  return sink.limit(() => clock.time("pack", () => packLayer(entries, options, sink.dir)));
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
  const writers = new Map<string, Writer>();
  for (const mapping of mappings) {
    const source = await listMappedFiles(mapping.from, context);
    const collected =
      source.kind === "file"
        ? [await collectFile(source.real, mapping.to)].flat()
        : await collectDirectory(source.real, mapping.to, {
            context,
            only: new Set([...source.directories, ...source.files]),
          });
    claimPaths(collected, mapping, writers);
    entries.push(...collected);
  }
  return entries;
}

/** Which mapping put a path into the layer, and whether it is a directory (several may create one). */
interface Writer {
  mapping: FileMapping;
  dir: boolean;
}

/**
 * Records which mapping writes each path. A path two mappings write (a file that a copied directory
 * also holds), or one that lies below another mapping's file, is a UserError naming both: which one
 * was meant cannot be known. dray.yaml's check catches equal destinations; this catches the ones
 * only the disk can tell.
 */
function claimPaths(entries: readonly TarEntry[], mapping: FileMapping, writers: Map<string, Writer>): void {
  for (const entry of entries) {
    const key = entry.path.replace(/^\/+|\/+$/g, "");
    const dir = entry.type === "dir";
    const parts = key.split("/");
    // Every parent is a directory in the layer; a file there from another mapping is a clash.
    for (let i = 1; i <= parts.length; i++) {
      const at = parts.slice(0, i).join("/");
      const other = writers.get(at);
      const here = i === parts.length ? dir : true;
      if (other && other.mapping !== mapping && !(other.dir && here)) clash(other.mapping, mapping, at);
      if (!other) writers.set(at, { mapping, dir: here });
    }
  }
}

function clash(first: FileMapping, second: FileMapping, at: string): never {
  throw new UserError(`files: ${first.from} and ${second.from} both write /${at} in the image`, {
    exitCode: ExitCode.usage,
    hint: "give one of the two files: entries another destination, or leave the path out of one of them",
  });
}
