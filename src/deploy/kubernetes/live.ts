/** Reads dray's live state off the Deployments it applied: identity from their annotations. */
import type { Digest } from "../../oci/index.js";
import type { LiveService } from "../types.js";
import { asDrift, deploymentDrift } from "./drift.js";
import { FIELD_MANAGER, KUBE_KEYS, type LiveDeployment, objectRef } from "./objects.js";
import { deploymentSince, livePrevious, liveVersion } from "./version-annotations.js";

/** The services the Deployments run, by the `dray.dev/service` label. */
export function liveServices(deployments: readonly LiveDeployment[]): Map<string, LiveService> {
  const services = new Map<string, LiveService>();
  const sorted = [...deployments].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  for (const deployment of sorted) {
    const name = deployment.metadata.labels?.[KUBE_KEYS.service];
    if (!name) continue;
    const live = liveOf(name, deployment);
    const seen = services.get(name);
    services.set(name, seen ? merge(seen, live) : live);
  }
  return services;
}

function liveOf(name: string, deployment: LiveDeployment): LiveService {
  const annotations = deployment.metadata.annotations ?? {};
  const available = deployment.status?.availableReplicas ?? 0;
  const drift = deploymentDrift(deployment, FIELD_MANAGER).map((d) => asDrift(name, d));
  const version = liveVersion(deployment);
  const previous = livePrevious(deployment);
  const since = deploymentSince(deployment);
  return {
    name,
    imageId: digest(annotations[KUBE_KEYS.imageId]),
    specDigest: digest(annotations[KUBE_KEYS.specDigest]),
    ids: [objectRef(deployment)],
    running: available >= (deployment.spec?.replicas ?? 1),
    ...(drift.length > 0 ? { drift } : {}),
    ...(version ? { version } : {}),
    ...(previous ? { previous } : {}),
    ...(since ? { since } : {}),
  };
}

/** Several Deployments of one service (user manifests): one identity only when they all agree. */
function merge(a: LiveService, b: LiveService): LiveService {
  return {
    name: a.name,
    imageId: a.imageId === b.imageId ? a.imageId : undefined,
    specDigest: a.specDigest === b.specDigest ? a.specDigest : undefined,
    ids: [...a.ids, ...b.ids],
    running: a.running && b.running,
    ...(a.version ? { version: a.version } : {}),
    ...(a.previous ? { previous: a.previous } : {}),
    ...(a.since ? { since: a.since } : {}),
    ...(a.drift || b.drift ? { drift: [...(a.drift ?? []), ...(b.drift ?? [])] } : {}),
  };
}

function digest(value: string | undefined): Digest | undefined {
  return value?.startsWith("sha256:") ? (value as Digest) : undefined;
}
