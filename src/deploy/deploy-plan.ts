/**
 * The deploy planner, pure: what the project wants against what the target runs. A service is
 * touched only when its identity (image ID, spec digest) differs, it is not running, or something
 * dray set on it was changed behind its back (drift); a service that left dray.yaml is removed
 * only with `--prune`.
 */
import { compareCodeUnits } from "../oci/index.js";
import { driftReason } from "./drift.js";
import type { DeployAction, DesiredService, LiveService, Reason, StartAction } from "./types.js";

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
    const drift = have.drift ?? [];
    if (drift.length > 0) reasons.push(driftReason(drift));
    // A stopped container is drift already ("state running → exited"): said once.
    if (!have.running && !drift.some((d) => d.field === "state")) reasons.push("not running");
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

/** A create or a replace: an action that starts a new version. */
export function isStart(action: DeployAction): action is StartAction {
  return action.kind === "create" || action.kind === "replace";
}
