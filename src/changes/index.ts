/** The public face of src/changes: what other stages may use. */
export { gitRefBaseline, lastBuildBaseline } from "./baseline.js";
export type { BaselineService, KnownImages, ServiceChange } from "./detect-changes.js";
export { countStatuses, detectChanges } from "./detect-changes.js";
