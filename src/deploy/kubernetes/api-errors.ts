/**
 * Turns what the API server (or the network) said into dray's errors, each saying what to do:
 * the user fixes access and config problems, a RemoteError reports what the server answered.
 */
import { errorMessage, RemoteError, UserError } from "../../errors/index.js";

/** Where the API server came from, for messages: "https://k8s:6443 (context prod in ~/.kube/config)". */
export interface ServerSource {
  readonly server: string;
  readonly context: string;
  readonly kubeconfig: string;
}

/** The network failed before the server answered. */
export function unreachableError(source: ServerSource, cause: unknown): UserError {
  return new UserError(`cannot reach the Kubernetes API server at ${source.server}: ${errorMessage(cause)}`, {
    hint: `Check that the cluster is running and that context "${source.context}" in ${source.kubeconfig} points at it (kubectl --context ${source.context} version).`,
    cause,
  });
}

/** The server answered `status`; `body` is its Status object when it sent one. */
export function responseError(
  source: ServerSource,
  method: string,
  path: string,
  status: number,
  body: unknown,
): UserError | RemoteError {
  const said = statusMessage(body);
  const action = describeRequest(method, path);
  if (status === 401) {
    return new UserError(`the Kubernetes API server at ${source.server} did not accept dray's credentials`, {
      hint: `Log in again or refresh the credentials of context "${source.context}" in ${source.kubeconfig}.`,
    });
  }
  if (status === 403) {
    return new UserError(`not allowed to ${action}${said ? `: ${said}` : ""}`, {
      hint: `Grant the user of context "${source.context}" that permission (check with kubectl auth can-i ${action.split(" ").slice(0, 2).join(" ")}).`,
    });
  }
  const missing = status === 404 ? missingNamespace(body) : undefined;
  if (missing !== undefined) {
    return new UserError(`could not ${action}: namespace "${missing}" does not exist on ${source.server}`, {
      hint: `Create it (kubectl create namespace ${missing}), or let dray create it: remove \`createNamespace: false\` from the target.`,
    });
  }
  if (status === 422 || status === 400) {
    return new UserError(`the Kubernetes API server refused to ${action}: ${said || `HTTP ${status}`}`, {
      hint: "Fix the object (check it with `dray render`) and deploy again.",
    });
  }
  return new RemoteError(`could not ${action}: HTTP ${status}${said ? `: ${said}` : ""}`, {
    status,
    retryable: status === 429 || status >= 500,
  });
}

/**
 * The namespace a 404 says is missing: a write into a namespace that does not exist gets
 * `{"reason":"NotFound","message":"namespaces \"shop\" not found","details":{"name":"shop","kind":"namespaces"}}`.
 */
function missingNamespace(body: unknown): string | undefined {
  const details = (body as { details?: { name?: unknown; kind?: unknown } } | undefined)?.details;
  return details?.kind === "namespaces" && typeof details.name === "string" ? details.name : undefined;
}

/** True for the 404 a read or delete of a missing object gets. */
export function isNotFound(error: unknown): boolean {
  return error instanceof RemoteError && error.status === 404;
}

/**
 * "patch deployments api in namespace shop": the verb and resource as RBAC names them
 * (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb).
 */
export function describeRequest(method: string, path: string): string {
  const parts = path.split("?")[0]!.split("/").filter(Boolean);
  const namespaceAt = parts.indexOf("namespaces");
  const hasNamespace = namespaceAt !== -1 && parts.length > namespaceAt + 2;
  const rest = hasNamespace ? parts.slice(namespaceAt + 2) : parts.slice(parts[0] === "api" ? 2 : 3);
  const [resource, name, subresource] = rest;
  const verb = verbOf(method, name !== undefined);
  const what = [subresource ? `${resource}/${subresource}` : resource, name].filter(Boolean).join(" ");
  return `${verb} ${what || path}${hasNamespace ? ` in namespace ${parts[namespaceAt + 1]}` : ""}`;
}

function verbOf(method: string, named: boolean): string {
  switch (method) {
    case "GET":
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    default:
      return method.toLowerCase();
  }
}

function statusMessage(body: unknown): string {
  if (
    typeof body === "object" &&
    body !== null &&
    typeof (body as { message?: unknown }).message === "string"
  ) {
    return (body as { message: string }).message;
  }
  return typeof body === "string" ? body.trim().slice(0, 500) : "";
}
