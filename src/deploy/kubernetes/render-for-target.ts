/**
 * What a kubernetes target applies, in either mode: generated objects, or the user's manifests
 * with dray's images resolved. `dray render` prints `objects`; the target applies them.
 */
import type { KubernetesTargetConfig } from "../../config/index.js";
import type { DesiredService } from "../types.js";
import { withAppliedAnnotation } from "./applied-record.js";
import { renderServices } from "./generate-objects.js";
import type { KubeObject } from "./objects.js";
import { type ManifestObject, readManifests } from "./read-manifests.js";
import { type ResolvedManifests, resolveManifests } from "./resolve-images.js";

/** Objects to apply, split by who applies them (see ResolvedManifests). */
export type TargetObjects = ResolvedManifests;

/**
 * Everything `config` would apply for `desired` (reading the user's manifests when it names
 * them); every service is deployed, so nothing is skipped. For `dray render`: each service's
 * Deployments carry the record of what was applied, as a deploy writes it.
 */
export async function renderForTarget(
  config: KubernetesTargetConfig,
  project: string,
  desired: readonly DesiredService[],
): Promise<TargetObjects> {
  const manifests = config.manifests === undefined ? undefined : await readManifests(config.manifests);
  const plain = objectsForTarget(config, project, manifests, new Map(desired.map((d) => [d.name, d])));
  const recorded = new Map<KubeObject, KubeObject>();
  const byService = new Map<string, readonly KubeObject[]>();
  for (const [service, objects] of plain.byService) {
    const annotated = withAppliedAnnotation(objects);
    for (const [i, object] of objects.entries()) recorded.set(object, annotated[i]!);
    byService.set(service, annotated);
  }
  return { ...plain, objects: plain.objects.map((o) => recorded.get(o) ?? o), byService };
}

/**
 * The pure core of renderForTarget: `services` maps every dray service to its desired version,
 * or to undefined when this run leaves it alone; `manifests` undefined means generated mode.
 */
export function objectsForTarget(
  config: KubernetesTargetConfig,
  project: string,
  manifests: readonly ManifestObject[] | undefined,
  services: ReadonlyMap<string, DesiredService | undefined>,
): TargetObjects {
  if (manifests !== undefined) return resolveManifests(project, manifests, services);
  const deployed = [...services.values()].filter((d): d is DesiredService => d !== undefined);
  const rendered = renderServices(project, config, deployed);
  const byService = new Map<string, readonly KubeObject[]>(rendered.map((r) => [r.service, r.objects]));
  return { objects: rendered.flatMap((r) => r.objects), byService, shared: [], skipped: [] };
}
