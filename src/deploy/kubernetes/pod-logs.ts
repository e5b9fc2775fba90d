/**
 * What a failed rollout left to read: the newest not-ready pod's last log lines, and the first
 * real cause (failure-cause.ts) from the Deployment, its ReplicaSets, that pod and their Events.
 * Reading any of it may fail (a pod that never started has no log): what could not be read is
 * said, never silently dropped, because the rollout failure is what the user must see.
 */
import { errorMessage } from "../../errors/index.js";
import { type Condition, type ContainerStatus, firstCause, type KubeEvent } from "./failure-cause.js";
import type { ObjectClient } from "./object-client.js";
import type { KubeObject, LiveDeployment } from "./objects.js";

interface Pod extends KubeObject {
  spec?: { containers?: { name: string }[] };
  status?: { conditions?: { type: string; status: string }[]; containerStatuses?: ContainerStatus[] };
}

/** What dray could find out about a failed rollout. */
export interface RolloutReport {
  readonly cause: string | undefined;
  /** The failing pod's last log lines, oldest first. */
  readonly logs: readonly string[];
  /** Why there are no log lines, when reading them failed. */
  readonly logNote: string | undefined;
}

/** Reads the cause and the last `lines` log lines of `deployment`'s failed rollout. */
export async function diagnoseRollout(
  client: ObjectClient,
  deployment: LiveDeployment,
  lines: number,
): Promise<RolloutReport> {
  const selector = Object.entries(deployment.spec?.selector?.matchLabels ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const namespace = deployment.metadata.namespace;
  const read = <T>(what: Promise<T>, fallback: T) => what.catch(() => fallback);
  const [pods, replicaSets] = selector
    ? await Promise.all([
        read(client.list("v1", "Pod", selector), [] as KubeObject[]),
        read(client.list("apps/v1", "ReplicaSet", selector), [] as KubeObject[]),
      ])
    : [[], []];
  const owned = newestFirst(replicaSets).filter((rs) =>
    ((rs.metadata["ownerReferences"] as { name?: string }[] | undefined) ?? []).some(
      (o) => o.name === deployment.metadata.name,
    ),
  );
  const pod = pickFailing(pods as Pod[]);
  const about = [deployment.metadata.name, owned[0]?.metadata.name, pod?.metadata.name].filter(
    (n): n is string => n !== undefined,
  );
  const events = (
    await Promise.all(
      about.map((name) => read(client.list("v1", "Event", undefined, `involvedObject.name=${name}`), [])),
    )
  ).flat() as unknown as KubeEvent[];
  const cause = firstCause({
    deploymentConditions: deployment.status?.conditions ?? [],
    replicaSetConditions:
      (owned[0]?.["status"] as { conditions?: Condition[] } | undefined)?.conditions ?? [],
    containers: pod?.status?.containerStatuses ?? [],
    events,
  });
  if (!pod) return { cause, logs: [], logNote: pods.length === 0 ? "no pod was created" : undefined };
  const container =
    pod.status?.containerStatuses?.find((c) => !c.ready)?.name ?? pod.spec?.containers?.[0]?.name;
  try {
    const text = await client.api.text(
      `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace ?? namespace ?? "default")}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
      { tailLines: lines, container },
    );
    const logs = text
      .split("\n")
      .filter((line) => line.length > 0)
      .slice(-lines);
    return {
      cause,
      logs,
      logNote: logs.length === 0 ? `pod ${pod.metadata.name} logged nothing` : undefined,
    };
  } catch (error) {
    return { cause, logs: [], logNote: `no log lines of pod ${pod.metadata.name}: ${errorMessage(error)}` };
  }
}

function newestFirst(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) =>
    String(b.metadata["creationTimestamp"] ?? "").localeCompare(
      String(a.metadata["creationTimestamp"] ?? ""),
    ),
  );
}

function pickFailing(pods: readonly Pod[]): Pod | undefined {
  const ready = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const newest = newestFirst(pods) as Pod[];
  return newest.find((pod) => !ready(pod)) ?? newest[0];
}
