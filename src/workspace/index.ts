/** The workspace stage: what is in the monorepo (Go modules, their main packages) and `dray init`. */

export type { GoOptions } from "../go/index.js";
export {
  type Discovery,
  discoverGoProject,
  type FoundModule,
  type MainPackage,
} from "./discover.js";
export { type InitOptions, type InitResult, initProject } from "./init.js";
export { GENERIC_ELEMENTS } from "./names.js";
export { ASIDE_DIRS } from "./select.js";
