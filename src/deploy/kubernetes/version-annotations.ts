/**
 * The versions of a service on a Kubernetes target, as annotations on its Deployments: the one that
 * runs (commit, spec — written by a deploy, not by `dray render`, so rendered manifests stay a
 * function of the checkout's images) and the one it replaced, with every object dray applied for
 * it, so that `dray rollback` re-applies exactly that. Pure.
 */

import type { DesiredService } from "../types.js";
import { LABELS } from "../types.js";
import { readPrevious, readVersion, type VersionRecord, versionLabels } from "../versions.js";
import { KUBE_KEYS, type KubeObject, kubeKey } from "./objects.js";

/** `objects` with the version `desired` recorded on each Deployment. */
export function withVersion(objects: readonly KubeObject[], desired: DesiredService): KubeObject[] {
  return annotateDeployments(objects, versionLabels(desired, undefined, kubeKey));
}

/** `objects` with `annotations` added to each Deployment. */
export function annotateDeployments(
  objects: readonly KubeObject[],
  annotations: Readonly<Record<string, string>>,
): KubeObject[] {
  if (Object.keys(annotations).length === 0) return [...objects];
  return objects.map((object) =>
    object.kind !== "Deployment"
      ? object
      : {
          ...object,
          metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...annotations } },
        },
  );
}

/** When the running version of a Deployment finished rolling out (or, failing that, was created). */
export function deploymentSince(deployment: KubeObject): string | undefined {
  const status = deployment["status"] as
    | { conditions?: readonly { type: string; lastUpdateTime?: string; lastTransitionTime?: string }[] }
    | undefined;
  const progressing = status?.conditions?.find((c) => c.type === "Progressing");
  const created = deployment.metadata["creationTimestamp"];
  return (
    progressing?.lastUpdateTime ??
    progressing?.lastTransitionTime ??
    (typeof created === "string" ? created : undefined)
  );
}

/** The version a live Deployment runs, with the objects dray applied for it. */
export function liveVersion(deployment: KubeObject): VersionRecord | undefined {
  const annotations = deployment.metadata.annotations;
  const version = readVersion(annotations, deploymentSince(deployment), kubeKey);
  if (!version) return undefined;
  const objects = parseObjects(annotations?.[KUBE_KEYS.applied]);
  return objects ? { ...version, objects } : version;
}

/** The previous version a live Deployment keeps. */
export function livePrevious(deployment: KubeObject): VersionRecord | undefined {
  return readPrevious(deployment.metadata.annotations, kubeKey);
}

/**
 * The `dray.dev/previous` annotation for applying `next` over `live` (the service's first
 * Deployment, if any): the live version when `next` is another one, else the one kept already.
 */
export function previousAnnotation(
  live: KubeObject | undefined,
  next: readonly KubeObject[],
): Record<string, string> {
  if (!live) return {};
  const nextAnnotations = next.find((o) => o.kind === "Deployment")?.metadata.annotations ?? {};
  const current = liveVersion(live);
  const replaced =
    current !== undefined &&
    (current.imageId !== nextAnnotations[KUBE_KEYS.imageId] ||
      current.specDigest !== nextAnnotations[KUBE_KEYS.specDigest]);
  if (replaced) return { [kubeKey(LABELS.previous)]: JSON.stringify(current) };
  const kept = live.metadata.annotations?.[kubeKey(LABELS.previous)];
  return kept !== undefined && livePrevious(live) ? { [kubeKey(LABELS.previous)]: kept } : {};
}

function parseObjects(text: string | undefined): KubeObject[] | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as KubeObject[]) : undefined;
  } catch {
    return undefined;
  }
}
