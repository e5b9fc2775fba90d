/**
 * dray.lock, beside dray.yaml: the digest each registry base's tag pointed at when `dray update-base`
 * last looked. Builds read it and pull by digest, so a tag moved in the registry changes no image
 * (and no input key) until someone updates the pins and commits the change.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RegistryBase, ResolvedConfig } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { writeFileAtomic } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { type BasePins, parsePins, renderPins } from "./pin-format.js";

export type { BasePins, PinnedBase } from "./pin-format.js";

/** The pins file's name; it lives in the project root, next to dray.yaml. */
export const PINS_FILE = "dray.lock";

/** Where the pins of the project at `root` live. */
export function pinsFilePath(root: string): string {
  return path.join(root, PINS_FILE);
}

/** The pins file as the user would name it: relative to where they are. */
function displayName(file: string): string {
  return path.relative(process.cwd(), file) || file;
}

/** Reads dray.lock; a missing file pins nothing, a broken one a UserError at its line. */
export async function readPins(root: string): Promise<BasePins> {
  const file = pinsFilePath(root);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { bases: {} };
    throw new UserError(`cannot read ${displayName(file)} (${code ?? "an unknown error"})`, {
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
  return parsePins(text, displayName(file));
}

/** Writes dray.lock atomically (temp file, then rename); equal pins give equal bytes. */
export async function writePins(root: string, pins: BasePins): Promise<void> {
  await writeFileAtomic(pinsFilePath(root), renderPins(pins));
}

/** The digest dray.lock holds for `image` (a base reference as written), if any. */
export function digestInPins(pins: BasePins, image: string): Digest | undefined {
  return Object.hasOwn(pins.bases, image) ? pins.bases[image]!.digest : undefined;
}

/** The digest a build pulls `base` by: written in the reference, else pinned in dray.lock; undefined when neither. */
export function pinnedDigest(base: RegistryBase, pins: BasePins): Digest | undefined {
  return base.digest ?? digestInPins(pins, base.image);
}

/** Every registry base of the config, one per reference as written, sorted; the first service's settings win. */
export function registryBases(config: ResolvedConfig): RegistryBase[] {
  const bases = new Map<string, RegistryBase>();
  for (const service of config.services) {
    if (service.base.kind === "registry" && !bases.has(service.base.image)) {
      bases.set(service.base.image, service.base);
    }
  }
  return [...bases.values()].sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
}

/** Registry bases with neither a digest in the reference nor an entry in dray.lock, as written, sorted. */
export function unpinnedBases(config: ResolvedConfig, pins: BasePins): string[] {
  return registryBases(config)
    .filter((base) => pinnedDigest(base, pins) === undefined)
    .map((base) => base.image);
}

/** Throws the UserError a build gives when a registry base is not pinned; builds never resolve tags. */
export function requirePins(config: ResolvedConfig, pins: BasePins): void {
  const missing = unpinnedBases(config, pins);
  if (missing.length === 0) return;
  const what = missing.length === 1 ? "a registry base that is" : `${missing.length} registry bases that are`;
  throw new UserError(`dray.yaml names ${what} not in ${PINS_FILE}`, {
    exitCode: ExitCode.usage,
    details: missing.map((image) => `  ${image}`).join("\n"),
    hint: "Run `dray update-base` to resolve their tags to digests and write dray.lock, then commit it.",
  });
}
