/**
 * `dray status`: what a target runs of the project, as the target says — each service's image ID,
 * whether it runs, and what was changed behind dray's back (drift). Reads only: nothing is built,
 * locked or written.
 */
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import type { LayoutStore } from "../oci/index.js";
import { chooseTarget } from "./choose-target.js";
import { runnable } from "./desired.js";
import { openTarget } from "./open-target.js";
import type { LiveService } from "./types.js";

/** What `dray status` shows of one target. */
export interface TargetStatus {
  readonly target: TargetConfig;
  /** Every service of the project the target runs, by name. */
  readonly services: readonly LiveService[];
  /** Services in dray.yaml the target does not run. */
  readonly missing: readonly string[];
}

/** Reads the live state of `config`'s project on the target named `name` (default: the first). */
export async function readStatus(
  config: ResolvedConfig,
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<TargetStatus> {
  const target = chooseTarget(config, name);
  const opened = await openTarget(target, {
    config,
    env,
    layout: noImages(config.state.layout),
    entries: new Map(),
  });
  try {
    const live = await opened.readLive(config.project);
    const services = [...live.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const missing = config.services
      .filter(runnable)
      .map((s) => s.name)
      .filter((s) => !live.has(s));
    return { target, services, missing };
  } finally {
    opened.close();
  }
}

/** A layout for a target that is only read from: it loads no image, so any use of it is a bug. */
function noImages(root: string): LayoutStore {
  return new Proxy({ root } as LayoutStore, {
    get(target, key) {
      if (key === "root") return target.root;
      if (key === "then") return undefined;
      return () => {
        throw new Error(`internal: dray status does not load images (layout.${String(key)})`);
      };
    },
  });
}
