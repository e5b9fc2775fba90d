/** `dray render` for Kubernetes: objects out as one multi-document YAML stream. */
import { stringify } from "yaml";
import type { KubeObject } from "./objects.js";

/**
 * Kinds others depend on come first, so that `dray render | kubectl apply -f -` works on an empty
 * namespace (the order `kubectl` and Helm install in); the rest follow by kind.
 */
const KIND_ORDER = [
  "Namespace",
  "CustomResourceDefinition",
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "Service",
];

/** Multi-document YAML of `objects`, ordered by kind, then namespace and name: stable across runs. */
export function renderManifests(objects: readonly KubeObject[]): string {
  return sortObjects(objects)
    .map((object) => stringify(object, { lineWidth: 0 }))
    .join("---\n");
}

/** `objects` in the order renderManifests writes them (and a target applies shared objects in). */
export function sortObjects(objects: readonly KubeObject[]): KubeObject[] {
  return [...objects].sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
}

function sortKey(object: KubeObject): string[] {
  const rank = KIND_ORDER.indexOf(object.kind);
  return [
    String(rank === -1 ? KIND_ORDER.length : rank).padStart(3, "0"),
    object.kind,
    object.metadata.namespace ?? "",
    object.metadata.name,
  ];
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}
