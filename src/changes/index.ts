/** The public face of src/changes: what other stages may use. */
export { gitRefBaseline, lastBuildBaseline } from "./baseline.js";
export {
  anyChanged,
  type CiPlan,
  ciPlan,
  GITLAB_DOTENV_MAX_BYTES,
  githubOutputs,
  githubSummary,
  gitlabDotenv,
} from "./ci-outputs.js";
export type { BaselineService, KnownImages, ServiceChange } from "./detect-changes.js";
export { countStatuses, detectChanges } from "./detect-changes.js";
