/** Input keys for a set of services: gather the facts (I/O), then compute the keys from them (pure). */
import type { ResolvedService } from "../config/index.js";
import type { GoMain, GoToolchain } from "../go/index.js";
import { gatherKeyFacts, type KeyContext } from "./gather-facts.js";
import { listingKey } from "./go-graph.js";
import { inputKeys } from "./input-keys.js";
import type { KeyFacts } from "./key-facts.js";
import type { ServiceKey } from "./types.js";

export type { KeyContext } from "./gather-facts.js";
export { inputKeys, type KeySettings, keyOf } from "./input-keys.js";
export type { KeyFacts } from "./key-facts.js";

/** Keys plus what was learnt on the way, which the build reuses instead of asking again. */
export interface KeyResult {
  keys: Map<string, ServiceKey>;
  /** Where each Go service's main package lives, by service name. */
  mains: Map<string, GoMain>;
  toolchain: GoToolchain | undefined;
  facts: KeyFacts;
}

/** Compute the input key of every service in `services`. */
export async function computeServiceKeys(
  services: readonly ResolvedService[],
  ctx: KeyContext,
): Promise<KeyResult> {
  const facts = await gatherKeyFacts(services, ctx);
  const keys = inputKeys(services, facts, {
    root: ctx.config.root,
    sourceDateEpoch: ctx.config.sourceDateEpoch,
    env: ctx.env,
  });
  return { keys, mains: goMains(services, facts), toolchain: facts.toolchain, facts };
}

/** A main package does not depend on the platform: each Go service's, from its first platform's listing. */
function goMains(services: readonly ResolvedService[], facts: KeyFacts): Map<string, GoMain> {
  const mains = new Map<string, GoMain>();
  for (const service of services) {
    const listing = facts.listings.get(listingKey(service.name, service.platforms[0]!));
    if (listing) mains.set(service.name, listing.main);
  }
  return mains;
}
