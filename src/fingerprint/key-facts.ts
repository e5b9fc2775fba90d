/**
 * Everything input keys are computed from, as one plain value: gathered by `gatherKeyFacts` (all
 * the I/O), then turned into keys by `inputKeys` (none).
 */
import type { GoToolchain, ModuleFacts } from "../go/index.js";
import type { Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import type { BasePins } from "../pins/index.js";
import type { GoServiceListing } from "./go-graph.js";

/** The facts of one run about a set of services. Paths are project-relative and "/"-separated. */
export interface KeyFacts {
  /** The Go toolchain (its version enters every Go key); undefined when no Go service is in the set. */
  toolchain: GoToolchain | undefined;
  /** Each Go service's main package and closure on each platform, by `listingKey`. */
  listings: ReadonlyMap<string, GoServiceListing>;
  /** go.mod's directive and go.sum's hashes, by module root (absolute). */
  modules: ReadonlyMap<string, ModuleFacts>;
  /** Every file some service reads → its ingredient value (content hash, ":x" when executable, or "link:target"). */
  files: Readonly<Record<string, string>>;
  /** Service name → the files its `files:` mappings copy. */
  mapped: ReadonlyMap<string, readonly string[]>;
  /** Command service name → the files its `inputs` globs match. */
  commandInputs: ReadonlyMap<string, readonly string[]>;
  /** dray.lock, read when some service has a registry base. */
  pins: BasePins | undefined;
  /** Manifest digest of each OCI-layout base on each platform, by `layoutBaseId`. */
  layoutBases: ReadonlyMap<string, string>;
}

/** The `layoutBases` key of a base in an OCI layout, for one platform. */
export function layoutBaseId(layout: string, ref: string, platform: Platform): string {
  return `${layout}\0${ref}\0${platformName(platform)}`;
}
