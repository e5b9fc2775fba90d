/**
 * Deploying only what changed: the desired state from dray.yaml and the built images against the
 * live state read from the target (docker, swarm, kubernetes), changed a few services at a time,
 * each waited on until healthy, rolled back on failure.
 */

export type { CheckoutVerdict } from "./checkout.js";
export { chooseTarget } from "./choose-target.js";
export type { DeployOutcome, ServiceOutcome } from "./deploy.js";
export { deployProject } from "./deploy.js";
export { desiredService, imageUser, runnable } from "./desired.js";
export { containerProbe } from "./docker/containers.js";
export { serviceHealth } from "./docker/health-probe.js";
export type { Drift, OwnedFields } from "./drift.js";
export { formatDrift } from "./drift.js";
export type { ProbeResult } from "./health.js";
export { waitUntilHealthy } from "./health.js";
export type { HistoryEntry } from "./history.js";
export { readHistory } from "./history.js";
export { rbacManifests, renderForTarget, renderManifests, type Subject } from "./kubernetes/index.js";
export type { LockHolder } from "./lock-holder.js";
export type { LogReader, LogRecord, LogRequest, ServiceLog } from "./log-source.js";
export { openLogReader } from "./logs.js";
export { manifestsDigest } from "./manifests-digest.js";
export { type PromotedImage, type PromoteOutcome, promoteProject } from "./promote.js";
export type { RollbackOutcome } from "./rollback.js";
export { rollbackProject } from "./rollback.js";
export type { ServiceStatus } from "./status.js";
export { readStatus, statusOf } from "./status.js";
export type { HeldTargetLock, LockState, TargetLock } from "./target-lock.js";
export type { CommandWrapper, DesiredService, WrapperExtras } from "./types.js";
export { LABELS } from "./types.js";
