/**
 * What dray applied for a service, recorded on the cluster: every Deployment of the service
 * carries the whole set of its objects (JSON in the `dray.dev/applied` annotation), so that one
 * GET finds what to restore on a failed rollout, what to delete when the service goes, and what
 * to compare the live objects with for drift. `dray render` writes it too, so that objects applied
 * from rendered manifests can be rolled back by a later `dray deploy`.
 */
import { KUBE_KEYS, type KubeObject } from "./objects.js";

/** `objects` with the record on each Deployment. */
export function withAppliedAnnotation(objects: readonly KubeObject[]): KubeObject[] {
  const record = JSON.stringify(objects);
  return objects.map((object) =>
    object.kind !== "Deployment"
      ? object
      : {
          ...object,
          metadata: {
            ...object.metadata,
            annotations: { ...object.metadata.annotations, [KUBE_KEYS.applied]: record },
          },
        },
  );
}
