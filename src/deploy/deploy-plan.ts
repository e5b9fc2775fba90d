/**
 * The deploy planner, pure: what the project wants against what the target runs. A service is
 * touched only when its identity (image ID, spec digest) differs or it is not running; a service
 * that left dray.yaml is removed only with `--prune`.
 */
import { compareCodeUnits } from "../oci/index.js";
import type { DeployAction, DesiredService, LiveService, Reason } from "./types.js";

/** What besides desired and live state decides a deploy plan. */
export interface DeployPlanOptions {
  /** Remove services the target runs that dray.yaml no longer lists. */
  prune: boolean;
  /**
   * Every service in dray.yaml, selected or not: with `dray deploy api --prune`, only services
   * missing from the whole file are removed, never the ones merely not selected.
   */
  known: ReadonlySet<string>;
  /** Services to replace even when their identity matches (dev mode's "rebuild" button). */
  force?: ReadonlySet<string>;
}

/** The actions that make the target run `desired`, one per service, sorted by service name. */
export function planDeploy(
  desired: readonly DesiredService[],
  live: ReadonlyMap<string, LiveService>,
  options: DeployPlanOptions,
): DeployAction[] {
  const actions: DeployAction[] = [];
  for (const want of desired) {
    const have = live.get(want.name);
    if (!have) {
      actions.push({ kind: "create", desired: want, reasons: ["new"] });
      continue;
    }
    const reasons: Reason[] = [];
    if (have.imageId !== want.imageId) reasons.push("image changed");
    if (have.specDigest !== want.specDigest) reasons.push("spec changed");
    if (!have.running) reasons.push("not running");
    // Changed on the target behind dray's back: applied again (said even when it would be anyway).
    if (have.drift && have.drift.length > 0) reasons.push(`drifted: ${have.drift.join("; ")}`);
    if (reasons.length === 0 && options.force?.has(want.name)) reasons.push("replacement forced");
    actions.push(
      reasons.length === 0
        ? { kind: "keep", desired: want, live: have }
        : { kind: "replace", desired: want, live: have, reasons },
    );
  }
  if (options.prune) {
    for (const have of live.values()) {
      if (!options.known.has(have.name))
        actions.push({ kind: "remove", live: have, reasons: ["removed from dray.yaml"] });
    }
  }
  return actions.sort((a, b) => compareCodeUnits(serviceOf(a), serviceOf(b)));
}

/** The service an action is about. */
export function serviceOf(action: DeployAction): string {
  return action.kind === "remove" ? action.live.name : action.desired.name;
}
