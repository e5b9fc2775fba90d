/**
 * A service's log on Kubernetes: the pods of its Deployment (found by the Deployment's own
 * selector), each read through `pods/{name}/log` — `follow` and `sinceSeconds` as the API takes
 * them, with `Accept: *\/*` (the server answers text/plain to nothing narrower).
 */
import { logLines } from "../../engine/index.js";
import {
  type LogRecord,
  type LogRequest,
  type ServiceLog,
  sourceNames,
  untilAborted,
} from "../log-source.js";
import type { KubeApi } from "./kube-api.js";

interface Deployment {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
}

interface PodList {
  items: { metadata: { name: string; creationTimestamp?: string } }[];
}

/** The log of `service`'s Deployment in `namespace`, or undefined when there is none. */
export async function kubernetesServiceLog(
  api: KubeApi,
  namespace: string,
  service: string,
  request: LogRequest,
): Promise<ServiceLog | undefined> {
  const ns = encodeURIComponent(namespace);
  const path = `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(service)}`;
  const answer = await api.send("GET", path);
  if (answer.status === 404) return undefined;
  // Anything else but success is said the way every other request's failure is.
  const deployment = (
    answer.status >= 200 && answer.status < 300 ? JSON.parse(answer.text) : await api.request("GET", path)
  ) as Deployment;
  const labels = deployment.spec?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const { items } = (await api.request("GET", `/api/v1/namespaces/${ns}/pods`, {
    query: { labelSelector },
  })) as PodList;
  const pods = [...items].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
  const names = sourceNames(service, Math.max(1, pods.length));
  return {
    service,
    sources: names,
    async read(emit) {
      await Promise.all(pods.map((pod, i) => podLog(api, ns, pod.metadata.name, names[i]!, request, emit)));
    },
  };
}

async function podLog(
  api: KubeApi,
  ns: string,
  pod: string,
  source: string,
  request: LogRequest,
  emit: (record: LogRecord) => void,
): Promise<void> {
  const query = {
    follow: request.follow ? true : undefined,
    // Whole seconds, at least one: the API refuses 0.
    sinceSeconds:
      request.since === undefined ? undefined : Math.max(1, Math.ceil(Date.now() / 1000 - request.since)),
  };
  await untilAborted(request.signal, async () => {
    const body = await api.stream(
      `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod)}/log`,
      query,
      request.signal,
    );
    for await (const line of logLines(body, "plain")) emit({ source, ...line });
  });
}
