/**
 * What `dray rollback` changes, pure: each named service (or every one that keeps a previous
 * version) back to the version its current one replaced. A service with nothing to go back to is
 * an error naming it, before anything changes.
 */
import { ExitCode, UserError } from "../errors/index.js";
import { compareCodeUnits } from "../oci/index.js";
import type { DeployAction, LiveService } from "./types.js";

/** A replacement: what a rollback does to each service. */
export type ReplaceAction = Extract<DeployAction, { kind: "replace" }>;

import { desiredFromRecord } from "./versions.js";

/** The replacements that restore the previous versions of `only` (all services with one when empty). */
export function planRollback(
  live: ReadonlyMap<string, LiveService>,
  only: readonly string[],
  target: string,
): ReplaceAction[] {
  const names =
    only.length > 0 ? [...new Set(only)] : [...live.values()].filter((l) => l.previous).map((l) => l.name);
  if (names.length === 0)
    throw new UserError(`nothing to roll back on target ${target}: no service keeps a previous version`, {
      exitCode: ExitCode.failed,
      hint: "A service keeps the version it replaced once dray deployed a second version of it.",
    });
  const problems: string[] = [];
  const actions: ReplaceAction[] = [];
  for (const name of names.sort(compareCodeUnits)) {
    const have = live.get(name);
    if (!have) {
      problems.push(`${name} is not deployed on target ${target}`);
      continue;
    }
    if (!have.previous) {
      problems.push(`${name} has no previous version on target ${target}`);
      continue;
    }
    const desired = desiredFromRecord(name, have.previous);
    if (!desired) {
      problems.push(`${name}: its previous version was recorded without its spec, so it cannot be restored`);
      continue;
    }
    actions.push({ kind: "replace", desired, live: have, reasons: ["rollback to the previous version"] });
  }
  if (problems.length > 0)
    throw new UserError(problems.length === 1 ? problems[0]! : `cannot roll back: ${problems.join("; ")}`, {
      exitCode: ExitCode.failed,
      hint: "A service keeps one previous version: the one its current version replaced. `dray history SERVICE` shows what a target keeps; nothing was changed.",
    });
  return actions;
}
