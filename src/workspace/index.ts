/** The workspace stage: what is in the monorepo (Go modules, their main packages) and `dray init`. */

export type { GoOptions } from "../go/index.js";
export { discoverGoMainPackages, type MainPackage } from "./discover.js";
export { type InitOptions, type InitResult, initProject } from "./init.js";
