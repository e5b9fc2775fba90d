/** The public face of src/changes: what other stages may use. */
export { gitRefBaseline, lastBuildBaseline } from "./baseline.js";
export type { BaselineService, KnownImages, PlanEntry } from "./change-plan.js";
export { countStatuses, planChanges } from "./change-plan.js";
