/**
 * Carrying out a plan in dependency order (`dependsOn`): the services to start go in layers, and
 * a layer starts only when every service of the layers before it that this deploy changed is
 * healthy (a target's apply returns only then). A dependency this deploy leaves alone must be
 * running on the target already. A service whose dependency failed, or is not running, is not
 * deployed, and says why; the failed one was rolled back by its target as always.
 */
import pLimit from "p-limit";
import { formatCycle, startOrder } from "../config/index.js";
import { UserError } from "../errors/index.js";
import { serviceOf } from "./deploy-plan.js";
import type { ServiceOutcome } from "./outcome.js";
import type { ApplyContext, DeployAction, DeployTarget, LiveService } from "./types.js";

/** What the ordering needs besides the plan. */
export interface OrderContext {
  /** Each service's `dependsOn`, by name. */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  /** The live state the plan was made from: dependencies outside this deploy must be running there. */
  live: ReadonlyMap<string, LiveService>;
  /** The target's name, for messages. */
  target: string;
}

/** Four services change at once within a layer; after Ctrl-C nothing new starts and what is in flight finishes. */
export async function applyInOrder(
  actions: readonly DeployAction[],
  target: DeployTarget,
  context: ApplyContext,
  reports: Map<string, ServiceOutcome>,
  order: OrderContext,
): Promise<void> {
  const changing = actions.filter((a) => a.kind !== "keep");
  const starts = changing.filter((a) => a.kind !== "remove");
  const byName = new Map(changing.map((a) => [serviceOf(a), a]));
  const layers = startOrder(
    starts.map((a) => ({ name: serviceOf(a), dependsOn: order.dependsOn.get(serviceOf(a)) ?? [] })),
  );
  // dray.yaml was checked for cycles when it was read: one here is a bug.
  if (!layers.ok) throw new Error(`dependsOn cycle reached the deploy: ${formatCycle(layers.cycle)}`);
  const removes = changing.filter((a) => a.kind === "remove").map(serviceOf);
  const limit = pLimit(4);
  for (const layer of [...layers.layers, removes]) {
    if (context.signal.aborted) return;
    await Promise.all(
      layer.map((name) =>
        limit(async () => {
          const report = reports.get(name)!;
          const blocked = blockedBy(name, reports, order);
          if (blocked) {
            report.error = blocked;
            context.log(name, blocked.message);
            return;
          }
          await applyOne(byName.get(name)!, target, context, report);
        }),
      ),
    );
  }
}

async function applyOne(
  action: DeployAction,
  target: DeployTarget,
  context: ApplyContext,
  report: ServiceOutcome,
): Promise<void> {
  if (context.signal.aborted) return;
  const begin = performance.now();
  context.log(report.service, `${verb(action)} (${report.reasons.join(", ")})`);
  try {
    if (action.kind === "remove") await target.remove(action.live, context);
    else if (action.kind !== "keep") await target.apply(action, context);
    report.status = "done";
  } catch (error) {
    report.status = "failed";
    report.error = error;
  }
  report.ms = performance.now() - begin;
}

/** Why `service` may not start yet for good: a dependency failed, was not deployed, or is not running. */
function blockedBy(
  service: string,
  reports: ReadonlyMap<string, ServiceOutcome>,
  order: OrderContext,
): UserError | undefined {
  for (const dependency of order.dependsOn.get(service) ?? []) {
    const report = reports.get(dependency);
    if (report?.status === "done" || report?.status === "unchanged") continue;
    if (report?.status === "failed" || report?.status === "not started")
      return new UserError(
        `${service} was not deployed because its dependency ${dependency} ${report.status === "failed" ? "failed" : "was not deployed"}`,
        { hint: `Fix ${dependency} first; ${service} is still on its previous version, if it had one.` },
      );
    if (!report && order.live.get(dependency)?.running) continue;
    if (!report)
      return new UserError(
        `${service} was not deployed because its dependency ${dependency} is not running on target ${order.target}`,
        { hint: `Deploy it with it: dray deploy ${dependency} ${service}` },
      );
  }
  return undefined;
}

function verb(action: DeployAction): string {
  return action.kind === "create" ? "creating" : action.kind === "replace" ? "replacing" : "removing";
}
