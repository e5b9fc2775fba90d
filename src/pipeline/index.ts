/**
 * The pipeline: the stages wired together for one run — fingerprint, cache, build, write, publish.
 * Commands (build, deploy, render, plan, verify, dev) drive a project through it from here.
 */
export { buildProject } from "./build-project.js";
export { publishBuilt } from "./publish-built.js";
export type {
  BuildOptions,
  BuildOutcome,
  ImageChange,
  PipelineStep,
  PlatformReport,
  ServiceReport,
} from "./types.js";
