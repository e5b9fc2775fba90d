/**
 * `dray update-base`: resolves each registry base's tag to a digest and records it in dray.lock.
 * The registry is reached only through the injected `resolve`, so the whole decision — what to
 * ask for, what changed, whether to write — is tested without one.
 */

import type { RegistryBase, ResolvedConfig } from "../config/index.js";
import { closest } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { Digest } from "../oci/index.js";
import { digestInPins, readPins, registryBases, writePins } from "./pin-file.js";
import type { BasePins, PinnedBase } from "./pin-format.js";

/** What the command needs: the config, which bases, and how to ask a registry. */
export interface UpdateBasesOptions {
  config: ResolvedConfig;
  /** Base references as written, or service names (meaning their base); default: every registry base. */
  only?: readonly string[];
  /** Resolves a base's tag to the digest and media type of its manifest or index (the registry client's resolveRemote). */
  resolve: (base: RegistryBase) => Promise<PinnedBase>;
}

/** What an update did, for the command's output. */
export interface UpdateBasesResult {
  /** Bases whose pinned digest is new or moved, sorted by reference. */
  changed: { image: string; from?: Digest; to: Digest }[];
  /** Bases whose tag still points where dray.lock says, or that are pinned by digest in dray.yaml. */
  unchanged: string[];
  /** Pins no service's base names any more; dropped by a full update (without `only`). */
  removed: string[];
}

/** The bases `only` names; a UserError for a name that is neither a registry base nor a service. */
export function selectBases(config: ResolvedConfig, only: readonly string[] | undefined): RegistryBase[] {
  const all = registryBases(config);
  if (only === undefined || only.length === 0) return all;
  const wanted = new Set<string>();
  for (const name of only) {
    const service = config.services.find((s) => s.name === name);
    if (service?.base.kind === "registry") wanted.add(service.base.image);
    else if (all.some((base) => base.image === name)) wanted.add(name);
    else throw unknownBase(name, service?.base.kind, config, all);
  }
  return all.filter((base) => wanted.has(base.image));
}

function unknownBase(
  name: string,
  kind: string | undefined,
  config: ResolvedConfig,
  all: readonly RegistryBase[],
): UserError {
  if (kind !== undefined) {
    return new UserError(`service ${JSON.stringify(name)} has no registry base (its base is ${kind})`, {
      exitCode: ExitCode.usage,
    });
  }
  const names = [...config.services.map((s) => s.name), ...all.map((b) => b.image)];
  const suggestion = closest(name, names);
  return new UserError(`${JSON.stringify(name)} is neither a service nor a registry base in dray.yaml`, {
    exitCode: ExitCode.usage,
    hint: suggestion
      ? `Did you mean ${JSON.stringify(suggestion)}?`
      : all.length > 0
        ? `Registry bases: ${all.map((b) => b.image).join(", ")}`
        : "dray.yaml names no registry base.",
  });
}

/**
 * The pins after an update, and what changed; pure. A base pinned by digest in dray.yaml needs no
 * entry; with `prune`, entries for bases no longer named go.
 */
export function applyResolutions(
  pins: BasePins,
  resolved: ReadonlyMap<string, PinnedBase>,
  pinned: readonly string[],
  prune: ReadonlySet<string> | undefined,
): { pins: BasePins; result: UpdateBasesResult } {
  const bases: Record<string, PinnedBase> = {};
  const removed: string[] = [];
  for (const [image, entry] of Object.entries(pins.bases)) {
    if (prune && !prune.has(image)) removed.push(image);
    else bases[image] = entry;
  }
  const result: UpdateBasesResult = { changed: [], unchanged: [...pinned], removed: removed.sort() };
  for (const [image, entry] of resolved) {
    const before = Object.hasOwn(bases, image) ? bases[image] : undefined;
    if (before?.digest === entry.digest && before.mediaType === entry.mediaType) {
      result.unchanged.push(image);
      continue;
    }
    const from = digestInPins(pins, image);
    result.changed.push(from === undefined ? { image, to: entry.digest } : { image, from, to: entry.digest });
    bases[image] = { digest: entry.digest, mediaType: entry.mediaType };
  }
  result.changed.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  result.unchanged.sort();
  return { pins: { bases }, result };
}

/**
 * Resolves the selected bases (all at once; any failure writes nothing) and writes dray.lock when
 * something changed. An update that finds nothing new leaves the file untouched.
 */
export async function updateBases(options: UpdateBasesOptions): Promise<UpdateBasesResult> {
  const { config } = options;
  const selected = selectBases(config, options.only);
  const pins = await readPins(config.root);
  const toResolve = selected.filter((base) => base.digest === undefined);
  const pinned = selected.filter((base) => base.digest !== undefined).map((base) => base.image);
  const answers = await Promise.all(toResolve.map((base) => options.resolve(base)));
  const resolved = new Map(toResolve.map((base, i) => [base.image, answers[i]!]));
  const full = options.only === undefined || options.only.length === 0;
  // Only a full update knows every base still in use; pinned ones need no entry either.
  const keep = full ? new Set(toResolve.map((base) => base.image)) : undefined;
  const next = applyResolutions(pins, resolved, pinned, keep);
  if (next.result.changed.length > 0 || next.result.removed.length > 0) {
    await writePins(config.root, next.pins);
  }
  return next.result;
}
