/**
 * The first real cause of a failed rollout, from what the cluster says about it: the
 * Deployment's and ReplicaSets' `ReplicaFailure` conditions (Pod Security, quota), the failing
 * pod's container states (image pull, crash loop with its exit code, bad config), and the
 * Warning Events of all of them (failed probes, scheduling). Pure.
 */

/** A status condition as Deployments and ReplicaSets report them. */
export interface Condition {
  readonly type: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A container's status in a pod. */
export interface ContainerStatus {
  readonly name: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly terminated?: { readonly exitCode?: number; readonly reason?: string; readonly message?: string };
}

/** An Event (core/v1), narrowed. */
export interface KubeEvent {
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
  readonly lastTimestamp?: string;
}

/** What the cluster says about a rollout. */
export interface RolloutFacts {
  readonly deploymentConditions: readonly Condition[];
  readonly replicaSetConditions: readonly Condition[];
  /** The container statuses of the failing pod, if there is one. */
  readonly containers: readonly ContainerStatus[];
  readonly events: readonly KubeEvent[];
}

const PULL_FAILURES = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

/** One line naming what went wrong, or undefined when nothing says more than the rollout's reason. */
export function firstCause(facts: RolloutFacts): string | undefined {
  const failure = [...facts.deploymentConditions, ...facts.replicaSetConditions].find(
    (c) => c.type === "ReplicaFailure" && c.status === "True",
  );
  if (failure)
    return `${failure.reason ?? "ReplicaFailure"}: ${failure.message ?? "pods could not be created"}`;
  const warnings = facts.events.filter((e) => e.type === "Warning");
  const event = (reason: string) => warnings.find((e) => e.reason === reason);
  for (const container of facts.containers) {
    const waiting = container.state?.waiting;
    const reason = waiting?.reason ?? "";
    if (PULL_FAILURES.includes(reason)) {
      const detail = event("Failed")?.message ?? waiting?.message ?? "";
      return `container "${container.name}" cannot pull its image (${reason})${detail ? `: ${detail}` : ""}`;
    }
    const ended = container.state?.terminated ?? container.lastState?.terminated;
    if (reason === "CrashLoopBackOff" || (ended && ended.exitCode !== 0 && ended.exitCode !== undefined)) {
      const exit =
        ended?.exitCode === undefined
          ? ""
          : `exit code ${ended.exitCode}${ended.reason ? `, ${ended.reason}` : ""}`;
      const restarts = container.restartCount ? `, restarted ${container.restartCount} times` : "";
      return `container "${container.name}" keeps exiting (${[reason, exit].filter(Boolean).join("; ")}${restarts})`;
    }
    if (reason !== "" && reason !== "ContainerCreating" && reason !== "PodInitializing") {
      return `container "${container.name}" is waiting: ${reason}${waiting?.message ? `: ${waiting.message}` : ""}`;
    }
  }
  const unhealthy = event("Unhealthy");
  if (unhealthy?.message) return `${unhealthy.message.replace(/\s+$/, "")}`;
  const other = warnings.find((e) => e.reason !== "BackOff") ?? warnings[0];
  if (other)
    return `${other.reason ?? "Warning"}${other.involvedObject?.name ? ` (${other.involvedObject.kind?.toLowerCase()}/${other.involvedObject.name})` : ""}: ${other.message ?? ""}`;
  return undefined;
}

/** True when pods are refused by Pod Security admission: waiting cannot help, the spec or the namespace must change. */
export function refusedByPodSecurity(conditions: readonly Condition[]): Condition | undefined {
  return conditions.find(
    (c) => c.type === "ReplicaFailure" && c.status === "True" && /violates PodSecurity/.test(c.message ?? ""),
  );
}
