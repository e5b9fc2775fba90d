/**
 * Assembling a service's images: compile it (Go, through src/go) or run its build command, pack
 * the output and `files:` into deterministic layers, and put base, layers and config together.
 * The pipeline loads this stage only when something must be built.
 */
export {
  type AssembledService,
  type AssembleStep,
  type AssembleTimes,
  type BuildStep,
  buildService,
  type ServiceBuildDeps,
} from "./assemble-service.js";
export { registryBase } from "./registry-base.js";
