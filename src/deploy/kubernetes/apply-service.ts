/**
 * Applies one service's objects, waits for its Deployments to roll out, and on failure puts back
 * exactly what dray applied before (kept in the `dray.dev/applied` annotation), or removes what
 * it created when there was nothing before.
 */
import { errorMessage } from "../../errors/index.js";
import { DeployFailure } from "../failure.js";
import type { ApplyContext } from "../types.js";
import type { ObjectClient } from "./object-client.js";
import { KUBE_KEYS, type KubeObject, type LiveDeployment, objectRef } from "./objects.js";
import { failingPodLogs } from "./pod-logs.js";
import { sortObjects } from "./render-manifests.js";
import { type PollOptions, waitForRollout } from "./rollout.js";

/** How long and how often to wait, and how many log lines to show. */
export interface RolloutSettings {
  /** The rollout's time limit for a Deployment. */
  readonly timeoutMs: (deployment: KubeObject) => number;
  readonly poll: Omit<PollOptions, "timeoutMs" | "onProgress">;
  readonly logLines: number;
}

/** What dray applied for the service last time, as found on the cluster. */
type Previous =
  | { readonly kind: "none" }
  /** Deployments exist but dray's annotation is missing (applied by hand): they cannot be restored. */
  | { readonly kind: "unknown" }
  | { readonly kind: "applied"; readonly objects: readonly KubeObject[] };

/** Applies `objects` (the service's Deployments and whatever goes with them) and waits for the rollout. */
export async function applyService(
  client: ObjectClient,
  service: string,
  objects: readonly KubeObject[],
  settings: RolloutSettings,
  context: ApplyContext,
): Promise<void> {
  const previous = await context.step(service, "read", () => readPrevious(client, objects));
  const applied = withAppliedAnnotation(objects);
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
    // The API server refused or went away: what it said is the error; undo what got through.
    await restore();
    throw error;
  }
  if (failed === undefined) {
    if (previous.kind === "applied") await removeLeftovers(client, previous.objects, objects);
    return;
  }
  const logs = await firstLogs(client, applied, settings.logLines);
  const rolledBack = await restore();
  throw new DeployFailure(
    `rollout of ${service} did not finish: ${failed}`,
    { service, logs, rolledBack },
    previous.kind === "unknown"
      ? {
          hint: `${service} was not applied by dray before, so dray could not restore it; check it with kubectl.`,
        }
      : {},
  );
}

async function readPrevious(client: ObjectClient, objects: readonly KubeObject[]): Promise<Previous> {
  const found: KubeObject[] = [];
  let existed = false;
  for (const object of objects.filter((o) => o.kind === "Deployment")) {
    const live = await client.get(object);
    if (!live) continue;
    existed = true;
    const annotation = live.metadata.annotations?.[KUBE_KEYS.applied];
    if (annotation === undefined) return { kind: "unknown" };
    for (const applied of JSON.parse(annotation) as KubeObject[]) {
      if (!found.some((o) => objectRef(o) === objectRef(applied))) found.push(applied);
    }
  }
  return existed ? { kind: "applied", objects: found } : { kind: "none" };
}

/** Each Deployment carries the whole set it was applied with: one GET finds all of it again. */
function withAppliedAnnotation(objects: readonly KubeObject[]): KubeObject[] {
  const record = JSON.stringify(objects);
  return objects.map((object) =>
    object.kind !== "Deployment"
      ? object
      : {
          ...object,
          metadata: {
            ...object.metadata,
            annotations: { ...object.metadata.annotations, [KUBE_KEYS.applied]: record },
          },
        },
  );
}

async function applyAll(client: ObjectClient, objects: readonly KubeObject[]): Promise<void> {
  // A Service or ConfigMap before the Deployment that uses it.
  for (const object of sortObjects(objects)) await client.apply(object);
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
  const restored = withAppliedAnnotation(restore);
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

async function firstLogs(
  client: ObjectClient,
  objects: readonly KubeObject[],
  lines: number,
): Promise<string[]> {
  for (const object of objects.filter((o) => o.kind === "Deployment")) {
    const live = await client.get(object).catch(() => undefined);
    if (!live) continue;
    const logs = await failingPodLogs(client, live as LiveDeployment, lines);
    if (logs.length > 0) return logs;
  }
  return [];
}
