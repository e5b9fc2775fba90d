/**
 * The plain-data shape of the Kubernetes objects dray writes and reads, and the label and
 * annotation keys it puts on them. Only the fields dray touches are typed; the rest passes through.
 */
import { LABELS } from "../types.js";

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

/** The part of `metadata` dray reads or writes. */
export interface KubeMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  [field: string]: unknown;
}

/** A Deployment as the API server returns it, narrowed to what rollout tracking reads. */
export interface LiveDeployment extends KubeObject {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: readonly { type: string; status?: string; reason?: string; message?: string }[];
  };
}

/**
 * Annotation keys must be prefixed by a DNS subdomain to be dray's own
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set),
 * so `dray.image-id` from LABELS becomes `dray.dev/image-id`.
 */
export function kubeKey(label: string): string {
  return `dray.dev/${label.replace(/^dray\./, "")}`;
}

/** The keys dray writes on Kubernetes objects. */
export const KUBE_KEYS = {
  /** Label: which project's objects these are; readLive selects by it. */
  project: kubeKey(LABELS.project),
  /** Label: the dray service a Deployment runs. */
  service: kubeKey(LABELS.service),
  /** Annotation: the image ID the Deployment runs. */
  imageId: kubeKey(LABELS.imageId),
  /** Annotation: the deploy-spec digest it was applied with. */
  specDigest: kubeKey(LABELS.specDigest),
  /** Annotation: JSON of every object dray applied for the service, so a rollback re-applies exactly that. */
  applied: "dray.dev/applied",
} as const;

/** The field manager named in every server-side apply. */
export const FIELD_MANAGER = "dray";

/** "Deployment/api": how an object is named in messages and LiveService ids. */
export function objectRef(object: Pick<KubeObject, "kind" | "metadata">): string {
  return `${object.kind.toLowerCase()}/${object.metadata.name}`;
}
