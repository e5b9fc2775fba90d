/**
 * Applies one service's objects, waits for its Deployments to roll out, and on failure puts back
 * exactly what dray applied before (kept in the `dray.dev/applied` annotation), or removes what
 * it created when there was nothing before (unless told to keep it for inspection).
 */
import { errorMessage } from "../../errors/index.js";
import { DeployFailure } from "../failure.js";
import type { ApplyContext } from "../types.js";
import { LABELS } from "../types.js";
import { withAppliedAnnotation } from "./applied-record.js";
import type { ObjectClient } from "./object-client.js";
import { KUBE_KEYS, type KubeObject, kubeKey, type LiveDeployment, objectRef } from "./objects.js";
import { diagnoseRollout, type RolloutReport } from "./pod-logs.js";
import { sortObjects } from "./render-manifests.js";
import { type PollOptions, waitForRollout } from "./rollout.js";
import { annotateDeployments, previousAnnotation } from "./version-annotations.js";

/** How long and how often to wait, and how many log lines to show. */
export interface RolloutSettings {
  /** The rollout's time limit for a Deployment. */
  readonly timeoutMs: (deployment: KubeObject) => number;
  readonly poll: Omit<PollOptions, "timeoutMs" | "onProgress">;
  readonly logLines: number;
  /** Leave a failed first version in place (`--keep-failed`) instead of removing it. */
  readonly keepFailed?: boolean;
}

/** What dray applied for the service last time, as found on the cluster. */
type Previous =
  | { readonly kind: "none" }
  /** Deployments exist but dray's annotation is missing (applied by hand): they cannot be restored. */
  | { readonly kind: "unknown" }
  | {
      readonly kind: "applied";
      readonly objects: readonly KubeObject[];
      /** The service's first live Deployment: its version becomes the new one's "previous". */
      readonly live: KubeObject;
    };

/** Applies `objects` (the service's Deployments and whatever goes with them) and waits for the rollout. */
export async function applyService(
  client: ObjectClient,
  service: string,
  objects: readonly KubeObject[],
  settings: RolloutSettings,
  context: ApplyContext,
): Promise<void> {
  const previous = await context.step(service, "read", () => readPrevious(client, objects));
  const applied = annotateDeployments(
    withAppliedAnnotation(objects),
    previousAnnotation(previous.kind === "applied" ? previous.live : undefined, objects),
  );
  const keep = previous.kind === "none" && settings.keepFailed === true;
  const restore = () =>
    context
      .step(service, "rollback", () => rollBack(client, service, previous, objects, settings, context))
      .catch((error: unknown) => {
        context.log(service, `rollback failed: ${errorMessage(error)}`);
        return false;
      });
  let failed: string | undefined;
  try {
    await context.step(service, "apply", () => applyAll(client, applied));
    failed = await context.step(service, "rollout", () =>
      waitForAll(client, service, applied, settings, context),
    );
  } catch (error) {
    // The API server refused or went away: what it said is the error; undo what got through
    // (nothing, when the very first write was refused).
    if (!(error instanceof NothingApplied) && !keep) await restore();
    throw error instanceof NothingApplied ? error.cause : error;
  }
  if (failed === undefined) {
    if (previous.kind === "applied") await removeLeftovers(client, previous.objects, objects);
    return;
  }
  const report = await diagnose(client, applied, settings.logLines);
  const rolledBack = keep ? false : await restore();
  const namespace = applied[0]?.metadata.namespace;
  throw new DeployFailure(
    `rollout of ${service} did not finish: ${failed}`,
    {
      service,
      logs: report.logs,
      rolledBack,
      ...(report.cause ? { cause: report.cause } : {}),
      ...(report.logNote ? { logNote: report.logNote } : {}),
    },
    keep
      ? {
          hint: `The failed ${service} is left as it is for inspection (--keep-failed): kubectl${namespace ? ` -n ${namespace}` : ""} describe deployment ${objects.find((o) => o.kind === "Deployment")?.metadata.name ?? service}. Fix it and deploy again.`,
        }
      : previous.kind === "unknown"
        ? {
            hint: `${service} was not applied by dray before, so dray could not restore it; check it with kubectl.`,
          }
        : previous.kind === "none"
          ? {
              hint: `Nothing of ${service} ran before, so dray removed what it created; deploy with --keep-failed to leave it for inspection.`,
            }
          : {},
  );
}

/** The first write was refused: there is nothing to undo. */
class NothingApplied extends Error {}

async function readPrevious(client: ObjectClient, objects: readonly KubeObject[]): Promise<Previous> {
  const found: KubeObject[] = [];
  let first: KubeObject | undefined;
  for (const object of objects.filter((o) => o.kind === "Deployment")) {
    const live = await client.get(object);
    if (!live) continue;
    first ??= live;
    const annotation = live.metadata.annotations?.[KUBE_KEYS.applied];
    if (annotation === undefined) return { kind: "unknown" };
    for (const applied of JSON.parse(annotation) as KubeObject[]) {
      if (!found.some((o) => objectRef(o) === objectRef(applied))) found.push(applied);
    }
  }
  return first ? { kind: "applied", objects: found, live: first } : { kind: "none" };
}

async function applyAll(client: ObjectClient, objects: readonly KubeObject[]): Promise<void> {
  // A Service or ConfigMap before the Deployment that uses it.
  let applied = 0;
  for (const object of sortObjects(objects)) {
    try {
      await client.apply(object);
    } catch (error) {
      throw applied === 0 ? new NothingApplied("nothing applied", { cause: error }) : error;
    }
    applied++;
  }
}

/** Waits for every Deployment of the service; returns the reason of the first that failed. */
async function waitForAll(
  client: ObjectClient,
  service: string,
  objects: readonly KubeObject[],
  settings: RolloutSettings,
  context: ApplyContext,
): Promise<string | undefined> {
  // The abort signal is not consulted here: an interrupted deploy still sees the service in hand
  // through, so that either the new or the old version is running when dray exits.
  for (const deployment of objects.filter((o) => o.kind === "Deployment")) {
    const state = await waitForRollout(async () => (await client.get(deployment)) as LiveDeployment, {
      ...settings.poll,
      timeoutMs: settings.timeoutMs(deployment),
      onProgress: (message) => context.log(service, `${objectRef(deployment)}: ${message}`),
    });
    if (state.kind === "failed") return state.reason;
  }
  return undefined;
}

async function rollBack(
  client: ObjectClient,
  service: string,
  previous: Previous,
  objects: readonly KubeObject[],
  settings: RolloutSettings,
  context: ApplyContext,
): Promise<boolean> {
  if (previous.kind === "unknown") return false;
  const restore = previous.kind === "applied" ? previous.objects : [];
  await removeLeftovers(client, objects, restore);
  if (previous.kind === "none") {
    context.log(service, "removed the new version: nothing ran before");
    return false;
  }
  context.log(service, "re-applying the previous version");
  // The version kept as previous stays what it was before the failed deploy.
  const kept = previous.live.metadata.annotations?.[kubeKey(LABELS.previous)];
  const restored = annotateDeployments(
    withAppliedAnnotation(restore),
    kept === undefined ? {} : { [kubeKey(LABELS.previous)]: kept },
  );
  await applyAll(client, restored);
  return (await waitForAll(client, service, restored, settings, context)) === undefined;
}

/** Deletes the objects of `before` that `after` does not have (a Service whose ports are gone). */
async function removeLeftovers(
  client: ObjectClient,
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): Promise<void> {
  const kept = new Set(after.map(objectRef));
  for (const object of before) {
    if (!kept.has(objectRef(object))) await client.remove(object);
  }
}

/** The cause and log lines of the first Deployment that says anything. */
async function diagnose(
  client: ObjectClient,
  objects: readonly KubeObject[],
  lines: number,
): Promise<RolloutReport> {
  let report: RolloutReport = { cause: undefined, logs: [], logNote: undefined };
  for (const object of objects.filter((o) => o.kind === "Deployment")) {
    const live = await client.get(object).catch(() => undefined);
    if (!live) continue;
    report = await diagnoseRollout(client, live as LiveDeployment, lines);
    if (report.cause || report.logs.length > 0) return report;
  }
  return report;
}
