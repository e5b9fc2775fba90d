/**
 * TEST FAKE support: the resources the fake Kubernetes API server serves, and the Status bodies
 * it answers errors with — each message spelled as a real kube-apiserver (v1.28) spells it.
 */

/** One kind the fake serves. */
export interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  /** The plural resource name in URLs and RBAC. */
  readonly name: string;
  readonly namespaced: boolean;
}

export const RESOURCES: readonly Resource[] = [
  { apiVersion: "v1", kind: "Service", name: "services", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", name: "configmaps", namespaced: true },
  { apiVersion: "v1", kind: "Pod", name: "pods", namespaced: true },
  { apiVersion: "v1", kind: "Event", name: "events", namespaced: true },
  { apiVersion: "v1", kind: "Namespace", name: "namespaces", namespaced: false },
  { apiVersion: "apps/v1", kind: "Deployment", name: "deployments", namespaced: true },
  { apiVersion: "apps/v1", kind: "ReplicaSet", name: "replicasets", namespaced: true },
  { apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "leases", namespaced: true },
  {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    name: "selfsubjectaccessreviews",
    namespaced: false,
  },
];

/** The API group of an apiVersion: "" for the core group. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

/** "deployments.apps" / "services": how the real server names a resource in messages. */
export function qualified(resource: Resource): string {
  const group = groupOf(resource.apiVersion);
  return group ? `${resource.name}.${group}` : resource.name;
}

/** An error the fake answers with a Status body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = "BadRequest",
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The Status object a real server sends with an error. */
export function statusBody(code: number, message: string, reason: string, details?: Record<string, unknown>) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** 404 for an object: `deployments.apps "api" not found`. */
export function notFound(resource: Resource, name: string): HttpError {
  return new HttpError(404, `${qualified(resource)} "${name}" not found`, "NotFound", {
    name,
    ...(groupOf(resource.apiVersion) ? { group: groupOf(resource.apiVersion) } : {}),
    kind: resource.name,
  });
}

/**
 * 404 for a write into a namespace that does not exist. Real answer to
 * `PATCH /api/v1/namespaces/shop/services/api` (apply) with no namespace shop:
 * `{"kind":"Status",…,"message":"namespaces \"shop\" not found","reason":"NotFound","details":{"name":"shop","kind":"namespaces"},"code":404}`.
 */
export function namespaceNotFound(namespace: string): HttpError {
  return new HttpError(404, `namespaces "${namespace}" not found`, "NotFound", {
    name: namespace,
    kind: "namespaces",
  });
}

/** 409 on create of an existing object: `leases.coordination.k8s.io "x" already exists`. */
export function alreadyExists(resource: Resource, name: string): HttpError {
  return new HttpError(409, `${qualified(resource)} "${name}" already exists`, "AlreadyExists", {
    name,
    ...(groupOf(resource.apiVersion) ? { group: groupOf(resource.apiVersion) } : {}),
    kind: resource.name,
  });
}

/**
 * 409 on an update whose metadata.resourceVersion is not the stored one (optimistic concurrency),
 * or on a delete whose preconditions the stored object fails (`why`, from preconditionFailure).
 */
export function conflict(
  resource: Resource,
  name: string,
  why = "the object has been modified; please apply your changes to the latest version and try again",
): HttpError {
  return new HttpError(
    409,
    `Operation cannot be fulfilled on ${qualified(resource)} "${name}": ${why}`,
    "Conflict",
    {
      name,
      ...(groupOf(resource.apiVersion) ? { group: groupOf(resource.apiVersion) } : {}),
      kind: resource.name,
    },
  );
}

/**
 * Content negotiation as the real server does it before any handler runs: JSON, YAML and
 * protobuf are served; pods/log too returns text/plain, but only to `*\/*` or application/json —
 * `Accept: text/plain` alone gets this 406.
 */
export function acceptable(accept: string | undefined): boolean {
  if (!accept) return true;
  const served = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];
  return accept.split(",").some((part) => {
    const type = part.split(";")[0]!.trim().toLowerCase();
    return type === "*/*" || type === "application/*" || served.includes(type);
  });
}

export const NOT_ACCEPTABLE = new HttpError(
  406,
  "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
  "NotAcceptable",
);

/**
 * Why a DELETE's DeleteOptions preconditions do not hold for `stored`, or undefined when they do
 * (or there are none). The real server checks them against the stored object and answers 409
 * Conflict: `Operation cannot be fulfilled on leases.coordination.k8s.io "x": Precondition failed:
 * UID in precondition: <uid>, UID in object meta: <stored uid>` (and likewise for ResourceVersion).
 */
export function preconditionFailure(
  stored: { metadata: Record<string, unknown> },
  body: string,
): string | undefined {
  let options: { preconditions?: { uid?: string; resourceVersion?: string } } = {};
  try {
    options = body.trim() === "" ? {} : (JSON.parse(body) as typeof options);
  } catch {
    return undefined;
  }
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid !== undefined && uid !== stored.metadata["uid"])
    return `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(stored.metadata["uid"])}`;
  if (resourceVersion !== undefined && resourceVersion !== stored.metadata["resourceVersion"])
    return `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${String(stored.metadata["resourceVersion"])}`;
  return undefined;
}
