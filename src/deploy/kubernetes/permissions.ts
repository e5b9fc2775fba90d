/**
 * The permissions a deploy to a kubernetes target uses, as RBAC rules, and the Role (and, to
 * create the namespace, ClusterRole) with their bindings that grant them — what `dray rbac`
 * prints and what a failed permission check shows. Pure.
 */
import type { KubeObject } from "./objects.js";

/** One RBAC rule: verbs on a resource ("pods/log" for a subresource) of an API group. */
export interface Rule {
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  /** Cluster-scoped (namespaces); the rest are in the target's namespace. */
  readonly cluster?: boolean;
  /** Only used to explain a failed rollout: missing, the deploy still works. */
  readonly diagnostic?: boolean;
}

/** A resource dray applies objects of. */
export interface AppliedResource {
  readonly group: string;
  readonly resource: string;
  /** A cluster-scoped kind (a ClusterRole in the user's manifests). */
  readonly cluster?: boolean;
}

/** What each part of a deploy does with the API. */
export function deployRules(applied: readonly AppliedResource[], namespace: "create" | "none"): Rule[] {
  const rules: Rule[] = [
    // The live state (list), rollouts (get), server-side apply (patch; create when it creates),
    // rollback and --prune (delete).
    { group: "apps", resource: "deployments", verbs: ["get", "list", "create", "patch", "delete"] },
  ];
  const seen = new Set(["apps/deployments"]);
  for (const { group, resource, cluster } of applied) {
    if (seen.has(`${group}/${resource}`)) continue;
    seen.add(`${group}/${resource}`);
    rules.push({
      group,
      resource,
      verbs: ["get", "create", "patch", "delete"],
      ...(cluster ? { cluster } : {}),
    });
  }
  rules.push(
    { group: "coordination.k8s.io", resource: "leases", verbs: ["get", "create", "update", "delete"] },
    { group: "", resource: "pods", verbs: ["list"], diagnostic: true },
    { group: "", resource: "pods/log", verbs: ["get"], diagnostic: true },
    { group: "apps", resource: "replicasets", verbs: ["list"], diagnostic: true },
    { group: "", resource: "events", verbs: ["list"], diagnostic: true },
  );
  if (namespace === "create")
    rules.push({ group: "", resource: "namespaces", verbs: ["get", "create", "patch"], cluster: true });
  return rules;
}

/** "patch deployments.apps": one verb on one resource, as messages name it. */
export function describePermission(group: string, resource: string, verb: string): string {
  const [plural, sub] = resource.split("/");
  return `${verb} ${group ? `${plural}.${group}` : plural}${sub ? `/${sub}` : ""}`;
}

/** Who the bindings bind: a user, a group or a service account. */
export type Subject =
  | { readonly kind: "User" | "Group"; readonly name: string }
  | { readonly kind: "ServiceAccount"; readonly name: string; readonly namespace: string };

/** The Role and RoleBinding (and, for cluster-scoped rules, ClusterRole and ClusterRoleBinding) granting `rules`. */
export function rbacObjects(
  project: string,
  namespace: string,
  rules: readonly Rule[],
  subject: Subject,
): KubeObject[] {
  const name = `dray-deploy-${project}`;
  const labels = { "app.kubernetes.io/managed-by": "dray", "app.kubernetes.io/part-of": project };
  const toRbac = (list: readonly Rule[]) =>
    list.map((r) => ({ apiGroups: [r.group], resources: [r.resource], verbs: [...r.verbs] }));
  const subjects = [
    subject.kind === "ServiceAccount"
      ? { kind: "ServiceAccount", name: subject.name, namespace: subject.namespace }
      : { kind: subject.kind, name: subject.name, apiGroup: "rbac.authorization.k8s.io" },
  ];
  const roleRef = (kind: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
  const objects: KubeObject[] = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels },
      rules: toRbac(rules.filter((r) => !r.cluster)),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels },
      roleRef: roleRef("Role"),
      subjects,
    },
  ];
  const cluster = rules.filter((r) => r.cluster);
  if (cluster.length > 0) {
    objects.push(
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name, labels },
        rules: toRbac(cluster),
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name, labels },
        roleRef: roleRef("ClusterRole"),
        subjects,
      },
    );
  }
  return objects;
}
