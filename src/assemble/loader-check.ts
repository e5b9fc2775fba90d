/**
 * A dynamically linked program starts only where its loader is: `scratch` has none, and a base
 * image has the one of its own C library. Every ELF file an image gets from dray (the Go binary,
 * `files:`, a command's output) is checked against the image's whole file system — base layers,
 * symlinks and whiteouts included — so an image that could never start is an error, not a surprise.
 */
import { open } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import type { ConfigPath, ResolvedService } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { BaseImage, Layer, Platform, TarEntry } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import { elfInterpreter, elfLink } from "./elf.js";
import { imageTree, resolveInTree, type TreeEntry } from "./image-tree.js";

/** A program in the image and the loader it asks for. */
export interface DynamicProgram {
  path: string;
  interpreter: string;
}

/**
 * The files among `entries` that are ELF programs asking for a loader: read from their data, or —
 * for a file streamed from the host — from the start of that file.
 */
export async function dynamicPrograms(entries: readonly TarEntry[]): Promise<DynamicProgram[]> {
  const found: DynamicProgram[] = [];
  for (const entry of entries) {
    if (entry.type !== "file") continue;
    const interpreter = entry.data
      ? elfInterpreter(entry.data)
      : entry.source
        ? await fileInterpreter(entry.source.path)
        : undefined;
    if (interpreter) found.push({ path: `/${entry.path.replace(/^\/+/, "")}`, interpreter });
  }
  return found;
}

/** Bytes read first: ELF headers and the interpreter's name sit at the start of a program. */
const HEAD = 4096;

/** The loader the host file at `file` asks for, reading no more of it than its headers need. */
async function fileInterpreter(file: string): Promise<string | undefined> {
  const handle = await open(file, "r");
  try {
    const read = async (length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      return buffer.subarray(0, bytesRead);
    };
    let head = await read(HEAD);
    let link = elfLink(head);
    // Headers further in than the first read: read up to where they end, once (a file shorter than that is malformed).
    if (link.kind === "short" && link.need <= MAX_HEADERS) {
      head = await read(link.need);
      link = elfLink(head);
    }
    return link.kind === "dynamic" ? link.interpreter : undefined;
  } finally {
    await handle.close();
  }
}

/** Program headers and an interpreter name past this point are not a program's. */
const MAX_HEADERS = 16 * 1024 * 1024;

/** Throws when a program in `layers` needs a loader that the image (`base` plus `layers`) lacks. */
export async function checkLoaders(
  service: ResolvedService,
  platform: Platform,
  base: BaseImage | undefined,
  layers: readonly { entries: readonly TarEntry[]; programs: readonly DynamicProgram[] }[],
  locate: ((path: ConfigPath) => string) | undefined,
): Promise<void> {
  const programs = layers.flatMap((l) => l.programs);
  if (programs.length === 0) return;
  const below = base ? await Promise.all(base.layers.map(layerNames)) : [];
  const tree = imageTree([...below, ...layers.map((l) => l.entries.map(treeEntry))]);
  const stranded = programs.find((p) => resolveInTree(tree, p.interpreter) !== "file");
  if (stranded) throw loaderMissing(service, platform, stranded, locate);
}

function treeEntry(entry: TarEntry): TreeEntry {
  return entry.type === "symlink"
    ? { path: entry.path, type: "symlink", target: entry.linkTarget ?? "" }
    : { path: entry.path, type: entry.type };
}

/** The names a layer holds, read from its tar headers (contents are skipped). */
async function layerNames(layer: Layer): Promise<TreeEntry[]> {
  const { extract } = await import("tar-stream");
  const bytes = await layer.blob.bytes();
  const tar = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const reader = extract();
  reader.end(tar);
  const entries: TreeEntry[] = [];
  for await (const entry of reader) {
    const { name, type, linkname } = entry.header;
    entry.resume();
    if (type === "symlink") entries.push({ path: name, type: "symlink", target: linkname ?? "" });
    else if (type === "directory") entries.push({ path: name, type: "dir" });
    else if (type === "file" || type === "link" || type === "contiguous-file")
      entries.push({ path: name, type: "file" });
  }
  return entries;
}

function baseName(service: ResolvedService): string {
  const base = service.base;
  if (base.kind === "scratch") return "scratch";
  return base.kind === "layout" ? `oci:${base.ref}` : base.image;
}

function loaderMissing(
  service: ResolvedService,
  platform: Platform,
  program: DynamicProgram,
  locate: ((path: ConfigPath) => string) | undefined,
): UserError {
  const at = (key: string) => locate?.(["services", service.name, key]) ?? "dray.yaml";
  const libcBase = `or a base with the C library and ${program.interpreter} (e.g. a Debian or distroless/base image) at ${at("base")}`;
  let hint: string;
  if (service.kind === "go" && program.path === service.binaryPath) {
    hint =
      service.cgo && service.link === "dynamic"
        ? `Link it statically: \`cgo: true\` (dray links cgo binaries statically) instead of \`cgo: dynamic\` at ${at("cgo")}; or \`cgo: false\` if its packages build without cgo; ${libcBase}.`
        : `Its ldflags (${at("ldflags")}) make the link dynamic: leave out their -linkmode or -extldflags so dray's static link applies; or \`cgo: false\` if its packages build without cgo; ${libcBase}.`;
  } else {
    hint = `${program.path} comes from ${service.kind === "command" ? "the command's output or " : ""}files: — link it statically, ${libcBase}.`;
  }
  return new UserError(
    `service ${service.name}: ${program.path} (${platformName(platform)}) is dynamically linked and needs ${program.interpreter}, which the image (base ${baseName(service)}) does not have — it could not start`,
    { exitCode: ExitCode.usage, hint },
  );
}
