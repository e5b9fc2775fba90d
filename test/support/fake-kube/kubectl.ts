/**
 * Changes made behind dray's back, sent the way kubectl v1.28 sends them (User-Agent, patch type,
 * no fieldManager, so the server names the manager after the User-Agent, or kubectl's own name):
 * `kubectl scale deployment api --replicas=N` is a merge patch of the scale subresource;
 * `kubectl set env deployment/api V=x` a strategic merge patch with field manager "kubectl-set".
 */
const USER_AGENT = "kubectl/v1.28.7 (linux/amd64) kubernetes/c8dcb00";

async function send(
  url: string,
  path: string,
  body: unknown,
  contentType: string,
  query = "",
): Promise<void> {
  const response = await fetch(`${url}${path}${query}`, {
    method: "PATCH",
    headers: { "content-type": contentType, "user-agent": USER_AGENT, authorization: "Bearer fake-token" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`kubectl: HTTP ${response.status}: ${await response.text()}`);
}

/** `kubectl scale deployment NAME --replicas=N -n NAMESPACE`. */
export function kubectlScale(url: string, namespace: string, name: string, replicas: number): Promise<void> {
  return send(
    url,
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
    { spec: { replicas } },
    "application/merge-patch+json",
  );
}

/** `kubectl set env deployment/NAME -c CONTAINER KEY=VALUE -n NAMESPACE`. */
export function kubectlSetEnv(
  url: string,
  namespace: string,
  name: string,
  container: string,
  env: Record<string, string>,
): Promise<void> {
  const patch = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: container, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) },
          ],
        },
      },
    },
  };
  return send(
    url,
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
    patch,
    "application/strategic-merge-patch+json",
    "?fieldManager=kubectl-set",
  );
}
