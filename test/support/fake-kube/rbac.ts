/**
 * TEST FAKE support: authorization. Everything is allowed except what a test forbids; a forbidden
 * request gets the real server's 403, e.g. for `PATCH …/namespaces/shop/services/api`:
 * `services "api" is forbidden: User "fake-user" cannot patch resource "services" in API group "" in the namespace "shop"`
 * (reason Forbidden, details {name, kind}). SelfSubjectAccessReview answers from the same rules;
 * a real server answers a denied review with `"status":{"allowed":false}` (RBAC gives no reason
 * for a denial) and an allowed one with `"status":{"allowed":true,"reason":"RBAC: allowed by …"}`.
 */
import { HttpError } from "./resources.js";

/** What a request or review asks to do. */
export interface Attributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** A permission a test takes away; unset fields match anything. */
export interface Denial {
  readonly verb: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
}

/** True when a denial covers `attributes`. */
export function denied(denials: readonly Denial[], attributes: Attributes): boolean {
  return denials.some(
    (d) =>
      (d.verb === attributes.verb || d.verb === "*") &&
      d.resource === attributes.resource &&
      (d.subresource ?? "") === (attributes.subresource ?? "") &&
      (d.namespace === undefined || d.namespace === attributes.namespace),
  );
}

/** The 403 of a denied request. */
export function forbidden(user: string, a: Attributes): HttpError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = `${a.group ? `${a.resource}.${a.group}` : a.resource}${a.name ? ` "${a.name}"` : ""}`;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return new HttpError(
    403,
    `${what} is forbidden: User "${user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    "Forbidden",
    { ...(a.name ? { name: a.name } : {}), ...(a.group ? { group: a.group } : {}), kind: a.resource },
  );
}

/** The verb RBAC sees for an HTTP request (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb). */
export function verbOf(method: string, named: boolean): string {
  switch (method) {
    case "GET":
      return named ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      return method.toLowerCase();
  }
}

/** The SelfSubjectAccessReview a real server returns for `review`. */
export function reviewAnswer(
  denials: readonly Denial[],
  review: { spec?: { resourceAttributes?: Partial<Attributes> } },
) {
  const attributes = review.spec?.resourceAttributes ?? {};
  const asked: Attributes = {
    verb: attributes.verb ?? "",
    group: attributes.group ?? "",
    resource: attributes.resource ?? "",
    ...(attributes.subresource ? { subresource: attributes.subresource } : {}),
    ...(attributes.namespace ? { namespace: attributes.namespace } : {}),
  };
  const allowed = !denied(denials, asked);
  return {
    kind: "SelfSubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: { creationTimestamp: null },
    spec: review.spec ?? {},
    status: allowed
      ? {
          allowed: true,
          reason:
            'RBAC: allowed by ClusterRoleBinding "fake" of ClusterRole "cluster-admin" to User "fake-user"',
        }
      : { allowed: false },
  };
}
