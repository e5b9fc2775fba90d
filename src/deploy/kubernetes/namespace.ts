/**
 * The target's namespace: looked up before the first write, and created by dray (server-side
 * apply of the Namespace) when it is missing, unless the target says `createNamespace: false`.
 */
import { UserError } from "../../errors/index.js";
import { responseError } from "./api-errors.js";
import type { KubeApi } from "./kube-api.js";
import type { ObjectClient } from "./object-client.js";
import type { KubeObject } from "./objects.js";

/** Whether the namespace exists; "unknown" when dray may not read namespaces (a namespaced Role). */
export type NamespaceState = "exists" | "missing" | "unknown";

/** GET /api/v1/namespaces/{name}. */
export async function namespaceState(api: KubeApi, namespace: string): Promise<NamespaceState> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
  const answer = await api.send("GET", path);
  // Forbidden: a user with rights in the namespace only; the first write will tell.
  if (answer.status === 403) return "unknown";
  if (answer.status === 404) return "missing";
  if (answer.status >= 200 && answer.status < 300) return "exists";
  throw responseError(api.source, "GET", path, answer.status, answer.text);
}

/** The Namespace dray applies when it creates one. */
export function namespaceObject(namespace: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "dray" } },
  };
}

/** Creates the missing namespace, or fails saying how to create it. */
export async function createMissingNamespace(
  client: ObjectClient,
  namespace: string,
  allowed: boolean,
  log: (line: string) => void,
): Promise<void> {
  if (!allowed) {
    throw new UserError(`namespace "${namespace}" does not exist on ${client.api.source.server}`, {
      hint: `Create it with \`kubectl create namespace ${namespace}\` (the target says createNamespace: false, so dray does not).`,
    });
  }
  await client.apply(namespaceObject(namespace));
  log(`created namespace ${namespace}`);
}
