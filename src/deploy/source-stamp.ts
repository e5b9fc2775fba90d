/**
 * The commit a deploy records on what it starts: the checkout's HEAD and whether its tracked files
 * differ from it, read once per deploy and only when the deploy changes something.
 */
import { STAMP_VARIABLES } from "../config/index.js";
import { isStart } from "./deploy-plan.js";
import type { DeployAction } from "./types.js";
import type { SourceStamp } from "./versions.js";

/** HEAD of the project's checkout, or `$DRAY_GIT_COMMIT` standing in for git; undefined outside git. */
export async function readSourceStamp(
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<SourceStamp | undefined> {
  const standIn = env[STAMP_VARIABLES.commit];
  if (standIn) return { commit: standIn, dirty: false };
  const { readSourceFacts } = await import("../attest/index.js");
  const facts = await readSourceFacts(root);
  return facts.commit ? { commit: facts.commit, dirty: facts.dirty } : undefined;
}

/** `actions` with every version they start stamped with `source` (identity untouched). */
export function stampActions(
  actions: readonly DeployAction[],
  source: SourceStamp | undefined,
): DeployAction[] {
  if (!source) return [...actions];
  return actions.map((a) => (isStart(a) ? { ...a, desired: { ...a.desired, source } } : a));
}

/**
 * Provenance for a deploy: the versions `actions` start labelled with the checkout's commit (never
 * part of an identity). Git is asked only when something starts.
 */
export async function withProvenance(
  actions: DeployAction[],
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<DeployAction[]> {
  if (!actions.some(isStart)) return actions;
  return stampActions(actions, await readSourceStamp(root, env));
}
