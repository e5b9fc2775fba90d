/**
 * `dray rbac`: the Role and RoleBinding (and, when dray may create the namespace, the ClusterRole
 * and ClusterRoleBinding) that let a user or service account deploy the project to a kubernetes
 * target — written from dray.yaml alone, without asking the cluster.
 */
import type { KubernetesTargetConfig } from "../../config/index.js";
import { deployRules, rbacObjects, type Subject } from "./permissions.js";
import { readManifests } from "./read-manifests.js";
import { renderManifests } from "./render-manifests.js";

export type { Subject } from "./permissions.js";

/** Multi-document YAML of the RBAC objects a deploy to `config` needs, bound to `subject`. */
export async function rbacManifests(
  config: KubernetesTargetConfig,
  project: string,
  subject: Subject,
): Promise<string> {
  const applied =
    config.manifests === undefined
      ? [{ group: "", resource: "services" }]
      : (await readManifests(config.manifests)).map(({ object }) => ({
          group: object.apiVersion.includes("/") ? object.apiVersion.split("/")[0]! : "",
          resource: pluralOf(object.kind),
          ...(CLUSTER_KINDS.has(object.kind) ? { cluster: true } : {}),
        }));
  const rules = deployRules(applied, config.createNamespace ? "create" : "none");
  return renderManifests(rbacObjects(project, config.namespace, rules, subject));
}

/** Kinds of the core APIs that are cluster-scoped. */
const CLUSTER_KINDS = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
]);

/** The resource name of a kind by the API's own convention (NetworkPolicy → networkpolicies, Ingress → ingresses). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}
