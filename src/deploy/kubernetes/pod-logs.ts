/** The last log lines of a Deployment's failing pod, shown with a failed rollout. */
import type { ObjectClient } from "./object-client.js";
import type { KubeObject, LiveDeployment } from "./objects.js";

interface Pod extends KubeObject {
  spec?: { containers?: { name: string }[] };
  status?: {
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; ready: boolean }[];
  };
}

/**
 * Up to `lines` lines of the newest not-ready pod of `deployment` (pods/log). Best effort: any
 * error gives no lines, because the rollout failure is what the user must see.
 */
export async function failingPodLogs(
  client: ObjectClient,
  deployment: LiveDeployment,
  lines: number,
): Promise<string[]> {
  try {
    const labels = deployment.spec?.selector?.matchLabels ?? {};
    const selector = Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    if (!selector) return [];
    const pods = (await client.list("v1", "Pod", selector)) as Pod[];
    const pod = pickFailing(pods);
    if (!pod) return [];
    const container =
      pod.status?.containerStatuses?.find((c) => !c.ready)?.name ?? pod.spec?.containers?.[0]?.name;
    const namespace = pod.metadata.namespace ?? deployment.metadata.namespace ?? "default";
    const text = await client.api.text(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
      { tailLines: lines, container },
    );
    return text
      .split("\n")
      .filter((line) => line.length > 0)
      .slice(-lines);
  } catch {
    return [];
  }
}

function pickFailing(pods: readonly Pod[]): Pod | undefined {
  const ready = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  const newest = [...pods].sort((a, b) =>
    String(b.metadata["creationTimestamp"] ?? "").localeCompare(
      String(a.metadata["creationTimestamp"] ?? ""),
    ),
  );
  return newest.find((pod) => !ready(pod)) ?? newest[0];
}
