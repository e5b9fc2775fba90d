/**
 * When a Deployment's rollout is finished, following `kubectl rollout status`
 * (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#deployment-status).
 */
import { refusedByPodSecurity } from "./failure-cause.js";
import type { LiveDeployment } from "./objects.js";

/** Where a rollout stands. */
export type RolloutState =
  | { readonly kind: "done" }
  | { readonly kind: "waiting"; readonly message: string }
  | { readonly kind: "failed"; readonly reason: string };

/** Reads the rollout state off a Deployment as the API server returns it. */
export function rolloutState(deployment: LiveDeployment): RolloutState {
  const status = deployment.status ?? {};
  // Until the controller has seen this generation, the rest of the status is about the old spec.
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 1)) {
    return { kind: "waiting", message: "waiting for the controller to see the new spec" };
  }
  const stuck = status.conditions?.find(
    (c) => c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded",
  );
  if (stuck) return { kind: "failed", reason: "ProgressDeadlineExceeded" };
  // Pod Security admission refuses the same pod template every time: waiting for the deadline
  // cannot help, the template or the namespace's labels must change.
  if (refusedByPodSecurity(status.conditions ?? [])) {
    return { kind: "failed", reason: "its pods are refused by Pod Security admission (FailedCreate)" };
  }
  const replicas = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const failure = status.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
  const why = failure ? ` — ${failure.reason ?? "ReplicaFailure"}: ${failure.message ?? ""}` : "";
  if (updated < replicas)
    return { kind: "waiting", message: `${updated} of ${replicas} replicas updated${why}` };
  const old = (status.replicas ?? updated) - updated;
  if (old > 0) return { kind: "waiting", message: `${old} old replicas still terminating` };
  if (available < replicas) {
    return { kind: "waiting", message: `${available} of ${replicas} updated replicas available` };
  }
  return { kind: "done" };
}

/** How waitForRollout polls; the clock is passed in so tests need not wait. */
export interface PollOptions {
  /** Give up after this long: the rollout failed with reason "timeout". */
  readonly timeoutMs: number;
  /** First pause between reads; doubles up to maxIntervalMs. */
  readonly intervalMs: number;
  readonly maxIntervalMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Called when the waiting message changes. */
  readonly onProgress?: (message: string) => void;
}

/** Polls `read` until the rollout is done, failed or out of time. */
export async function waitForRollout(
  read: () => Promise<LiveDeployment>,
  options: PollOptions,
): Promise<Exclude<RolloutState, { kind: "waiting" }>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let interval = options.intervalMs;
  let last = "";
  for (;;) {
    const state = rolloutState(await read());
    if (state.kind !== "waiting") return state;
    if (state.message !== last) options.onProgress?.(state.message);
    last = state.message;
    const left = deadline - now();
    if (left <= 0) {
      return {
        kind: "failed",
        reason: `not finished after ${Math.round(options.timeoutMs / 1000)}s (${last})`,
      };
    }
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 2, options.maxIntervalMs);
  }
}
