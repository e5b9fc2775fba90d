/**
 * The pipeline: the stages wired together for one run — fingerprint, cache, build, write, publish.
 * Commands (build, deploy, render, plan, verify, dev) drive a project through it from here.
 */
export { buildProject } from "./build-project.js";
export { publishBuilt } from "./publish-built.js";
export { assignShards, type ShardWork, shardLoads } from "./shard-assignment.js";
export { planShard, type ShardedService, type ShardPlan, type ShardSpec, shardMark } from "./shard-plan.js";
export type {
  BuildOptions,
  BuildOutcome,
  ImageChange,
  PipelineStep,
  PlatformReport,
  ServiceReport,
} from "./types.js";
