/**
 * The kubernetes deploy target and `dray render` for it. The client library is imported only
 * when a target opens, so other commands never load it.
 */
export type { KubeObject } from "./objects.js";
export { rbacManifests, type Subject } from "./rbac-manifests.js";
export { renderForTarget, type TargetObjects } from "./render-for-target.js";
export { renderManifests } from "./render-manifests.js";
export { type KubernetesTargetOptions, openKubernetesTarget } from "./target.js";
