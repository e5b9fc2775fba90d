/**
 * User manifests mode, the pure part: like `ko resolve` does for `ko://`, every container image
 * that names a dray service (`dray://api`, `api` or `api:<tag>`) becomes the image the build
 * produced (`registry/ns/api@sha256:…`), and each Deployment running one is marked as dray's.
 */
import { UserError } from "../../errors/index.js";
import type { DesiredService } from "../types.js";
import { identityAnnotations } from "./generate-objects.js";
import { KUBE_KEYS, type KubeObject, objectRef } from "./objects.js";
import type { ManifestObject } from "./read-manifests.js";

/** The user's objects with images resolved, split by who applies them. */
export interface ResolvedManifests {
  /** Every object that can be applied now, in the manifests' order. */
  readonly objects: readonly KubeObject[];
  /** The Deployments running each dray service: applied and rolled out with that service. */
  readonly byService: ReadonlyMap<string, readonly KubeObject[]>;
  /** Everything else (ConfigMaps, Services, Jobs…): applied before any service. */
  readonly shared: readonly KubeObject[];
  /** Objects naming a service whose image this run does not have (it is kept): left as deployed. */
  readonly skipped: readonly string[];
}

const SCHEME = "dray://";

/**
 * Resolves `manifests` against `services`: every dray service by name, with its desired version
 * when this run deploys it, undefined when it is left alone.
 */
export function resolveManifests(
  project: string,
  manifests: readonly ManifestObject[],
  services: ReadonlyMap<string, DesiredService | undefined>,
): ResolvedManifests {
  const objects: KubeObject[] = [];
  const byService = new Map<string, KubeObject[]>();
  const shared: KubeObject[] = [];
  const skipped: string[] = [];
  for (const { source, object: original } of manifests) {
    const object = structuredClone(original);
    const named = rewriteImages(object, source, services);
    if ([...named].some((service) => services.get(service) === undefined)) {
      skipped.push(`${source} (${objectRef(object)})`);
      continue;
    }
    objects.push(object);
    if (object.kind !== "Deployment" || named.size === 0) {
      shared.push(object);
      continue;
    }
    if (named.size > 1) {
      throw new UserError(
        `${source}: Deployment ${object.metadata.name} runs the dray services ${[...named].sort().join(" and ")}`,
        { hint: "dray tracks one service per Deployment; put each service in a Deployment of its own." },
      );
    }
    const service = [...named][0]!;
    markAsDray(object, project, services.get(service)!);
    byService.set(service, [...(byService.get(service) ?? []), object]);
  }
  return { objects, byService, shared, skipped };
}

/** The dray service an image reference names, if any; throws for `dray://` naming no service. */
export function serviceOfImage(
  image: string,
  source: string,
  services: ReadonlyMap<string, unknown>,
): string | undefined {
  if (image.startsWith(SCHEME)) {
    const name = image.slice(SCHEME.length);
    if (services.has(name)) return name;
    throw new UserError(`${source}: image ${image} names no dray service "${name}"`, {
      hint: `Services in dray.yaml: ${[...services.keys()].sort().join(", ") || "(none)"}. Fix the name or add the service.`,
    });
  }
  // A bare name, optionally tagged, as in `image: api:dev`; anything with a registry, path or
  // digest is a real image reference and is left alone.
  const match = /^([a-z0-9][a-z0-9._-]*)(?::[\w][\w.-]*)?$/.exec(image);
  return match && services.has(match[1]!) ? match[1] : undefined;
}

/** Rewrites the images of every pod spec in `object` in place; returns the services it names. */
function rewriteImages(
  object: KubeObject,
  source: string,
  services: ReadonlyMap<string, DesiredService | undefined>,
): Set<string> {
  const named = new Set<string>();
  for (const podSpec of podSpecs(object)) {
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
      const containers = podSpec[field];
      if (!Array.isArray(containers)) continue;
      for (const container of containers) {
        if (!isRecord(container) || typeof container["image"] !== "string") continue;
        const service = serviceOfImage(container["image"], source, services);
        if (service === undefined) continue;
        named.add(service);
        const desired = services.get(service);
        if (desired) container["image"] = desired.image;
      }
    }
  }
  return named;
}

/** The pod specs of a workload: a Pod's own, a controller's template, a CronJob's job template. */
function podSpecs(object: KubeObject): Record<string, unknown>[] {
  const spec = object["spec"];
  if (!isRecord(spec)) return [];
  if (object.kind === "Pod") return [spec];
  const template = isRecord(spec["jobTemplate"])
    ? at(spec["jobTemplate"], "spec", "template")
    : spec["template"];
  const podSpec = isRecord(template) ? template["spec"] : undefined;
  return isRecord(podSpec) ? [podSpec] : [];
}

function markAsDray(object: KubeObject, project: string, desired: DesiredService): void {
  const metadata = object.metadata;
  metadata.labels = { ...metadata.labels, [KUBE_KEYS.project]: project, [KUBE_KEYS.service]: desired.name };
  metadata.annotations = { ...metadata.annotations, ...identityAnnotations(desired) };
}

function at(value: Record<string, unknown>, ...keys: string[]): unknown {
  let current: unknown = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
