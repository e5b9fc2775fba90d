/**
 * The pure half of input keys: services and the facts gathered about them in, keys out. No disk,
 * no clock, no environment but the values passed in — so a key is a function of what is written here.
 */
import type { ResolvedService } from "../config/index.js";
import type { Digest, Platform } from "../oci/index.js";
import { canonicalJson, formatReference, sha256Digest } from "../oci/index.js";
import { pinnedDigest } from "../pins/index.js";
import { commandIngredients } from "./command-key.js";
import { listingKey } from "./go-graph.js";
import { goIngredients } from "./go-key.js";
import { type KeyFacts, layoutBaseId } from "./key-facts.js";
import { commonSettings } from "./settings.js";
import type { Ingredients, PlatformKey, ServiceKey } from "./types.js";

/** The settings of a run that enter keys. */
export interface KeySettings {
  /** Absolute project root: every path in a key is relative to it. */
  root: string;
  /** Seconds since the epoch stamped on every file and the image config. */
  sourceDateEpoch: number;
  /** The user's environment; only GOFLAGS and GOEXPERIMENT are read, as they reach Go's output unasked. */
  env: Readonly<Record<string, string | undefined>>;
}

/** The digest of a value's canonical JSON: how every key is made. */
export function keyOf(value: unknown) {
  return sha256Digest(canonicalJson(value));
}

/** A platform's key: the digest of its ingredients. */
export function platformKeyOf(ingredients: Ingredients): Digest {
  return keyOf(ingredients);
}

/** A service's key: its platforms' keys, combined in order. The cache is looked up by it. */
export function serviceKeyOf(platforms: readonly { platform: string; key: Digest }[]): Digest {
  return keyOf(platforms.map((p) => ({ platform: p.platform, key: p.key })));
}

/**
 * The input key of every service in `services`, by name, in the order given. `facts` must hold
 * what `gatherKeyFacts` gathers for these services (a listing for each Go service and platform,
 * a hash for each file).
 */
export function inputKeys(
  services: readonly ResolvedService[],
  facts: KeyFacts,
  settings: KeySettings,
): Map<string, ServiceKey> {
  const keys = new Map<string, ServiceKey>();
  for (const service of services) {
    const platforms = service.platforms.map((platform): PlatformKey => {
      const ingredients = ingredientsOf(service, platform, facts, settings);
      return { platform: ingredients.platform, key: platformKeyOf(ingredients), ingredients };
    });
    keys.set(service.name, {
      service: service.name,
      key: serviceKeyOf(platforms),
      platforms,
    });
  }
  return keys;
}

function ingredientsOf(
  service: ResolvedService,
  platform: Platform,
  facts: KeyFacts,
  settings: KeySettings,
): Ingredients {
  const pick = (paths: readonly string[] | undefined) =>
    Object.fromEntries((paths ?? []).map((p) => [p, facts.files[p]!]));
  const common = commonSettings(
    service,
    settings.root,
    baseDigest(service, platform, facts),
    settings.sourceDateEpoch,
  );
  if (service.kind === "command") {
    const files = { ...pick(facts.commandInputs.get(service.name)), ...pick(facts.mapped.get(service.name)) };
    return commandIngredients(service, platform, settings.root, files, common);
  }
  const id = listingKey(service.name, platform);
  const listing = facts.listings.get(id);
  const modules = listing && facts.modules.get(listing.main.moduleRoot);
  if (!listing || !modules || !facts.toolchain) throw new Error(`internal: no Go facts gathered for ${id}`);
  return goIngredients(service, listing, modules, facts.files, {
    toolchain: facts.toolchain.version,
    env: settings.env,
    common,
    mapped: pick(facts.mapped.get(service.name)),
  });
}

/** What the base is named by in a key: "scratch", the digest dray.lock pins, or the layout manifest's digest. */
function baseDigest(service: ResolvedService, platform: Platform, facts: KeyFacts): string {
  const base = service.base;
  if (base.kind === "scratch") return "scratch";
  if (base.kind === "registry") {
    const digest = facts.pins ? pinnedDigest(base, facts.pins) : base.digest;
    return `registry:${formatReference({ registry: base.registry, repository: base.repository, digest })}`;
  }
  return `oci:${base.ref}@${facts.layoutBases.get(layoutBaseId(base.layout, base.ref, platform))}`;
}
