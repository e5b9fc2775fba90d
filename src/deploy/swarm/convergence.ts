/**
 * Reading a service's state from its spec, update status and tasks: pure, so that every state
 * swarm can report is covered by a table of cases.
 * https://docs.docker.com/engine/swarm/how-swarm-mode-works/swarm-task-states/
 */
import { parseOwned } from "../drift.js";
import type { ProbeResult } from "../health.js";
import { type DesiredService, LABELS, type LiveService } from "../types.js";
import { readPrevious, readVersion } from "../versions.js";
import { serviceDrift } from "./drift.js";
import type { SwarmService, SwarmTask } from "./swarm-api.js";

/** Update states in which swarm gave up on the new spec; "paused" means it stopped without rolling back. */
const GAVE_UP = new Set(["paused", "rollback_started", "rollback_paused", "rollback_completed"]);

/** Task states that end a task for good; swarm starts a new task in its slot (restart policy allowing). */
const FAILED = new Set(["failed", "rejected", "orphaned"]);

/** Failed tasks of the new version before the wait stops: a version that keeps crashing will not recover. */
const FAILURES_PER_REPLICA = 3;

export function replicasOf(service: SwarmService): number {
  return service.Spec.Mode?.Replicated?.Replicas ?? 1;
}

/** True when swarm abandoned the last update: the previous spec is (being) restored, or it paused. */
export function updateAbandoned(service: SwarmService): boolean {
  return GAVE_UP.has(service.UpdateStatus?.State ?? "");
}

function runsDesired(task: SwarmTask, desired: DesiredService): boolean {
  const labels = task.Spec.ContainerSpec?.Labels ?? {};
  return labels[LABELS.imageId] === desired.imageId && labels[LABELS.specDigest] === desired.specDigest;
}

function newestFirst(a: SwarmTask, b: SwarmTask): number {
  return Date.parse(b.Status.Timestamp ?? "") - Date.parse(a.Status.Timestamp ?? "") || 0;
}

/** The most recent task of the desired version that failed: the one whose log explains why. */
export function failedTask(tasks: readonly SwarmTask[], desired: DesiredService): SwarmTask | undefined {
  return tasks.filter((t) => runsDesired(t, desired) && FAILED.has(t.Status.State)).sort(newestFirst)[0];
}

function describeTask(task: SwarmTask): string {
  const why = task.Status.Err ?? task.Status.Message;
  return why ? `${task.Status.State}: ${why}` : task.Status.State;
}

/**
 * Whether `desired` runs: every task swarm wants running is of the desired version and running
 * (swarm reports a task with a healthcheck running only once it is healthy), at least as many as
 * the service's replicas, and no update is still going on. Final when swarm gave up on the update
 * or the new version keeps failing.
 */
export function convergence(
  service: SwarmService,
  tasks: readonly SwarmTask[],
  desired: DesiredService,
): ProbeResult {
  const status = service.UpdateStatus;
  if (status?.State && GAVE_UP.has(status.State))
    return {
      ok: false,
      reason: `swarm ${status.State.replace("_", " ")}: ${status.Message ?? ""}`,
      final: true,
    };
  const own = tasks.filter((t) => t.ServiceID === service.ID);
  const wanted = own.filter((t) => t.DesiredState === "running");
  const old = wanted.filter((t) => !runsDesired(t, desired)).length;
  const running = wanted.filter((t) => runsDesired(t, desired) && t.Status.State === "running").length;
  const replicas = replicasOf(service);
  const updating = status?.State !== undefined && status.State !== "completed";
  if (running >= replicas && old === 0 && !updating) return { ok: true };
  const failures = own.filter((t) => runsDesired(t, desired) && FAILED.has(t.Status.State));
  const last = failures.sort(newestFirst)[0];
  const reason = [
    `${running}/${replicas} tasks running`,
    ...(old > 0 ? [`${old} of the previous version`] : []),
    ...(updating ? [`update ${status?.State}`] : []),
    ...(last ? [`last failed task ${describeTask(last)}`] : []),
  ].join(", ");
  // Without restarts, swarm leaves a failed slot empty: one failure is already final.
  const restarts = service.Spec.TaskTemplate?.RestartPolicy?.Condition !== "none";
  if (failures.length >= (restarts ? FAILURES_PER_REPLICA * Math.max(replicas, 1) : 1))
    return {
      ok: false,
      reason: `${restarts ? "the new version keeps failing" : "a task of the new version failed"}: ${reason}`,
      final: true,
    };
  return { ok: false, reason };
}

/**
 * Whether whatever version the service's spec names runs: every task swarm wants running is
 * running, as many as the replicas. Swarm reports a rollback completed once it replaced the tasks,
 * before the restored ones run.
 */
export function settled(service: SwarmService, tasks: readonly SwarmTask[]): ProbeResult {
  const wanted = tasks.filter((t) => t.ServiceID === service.ID && t.DesiredState === "running");
  const running = wanted.filter((t) => t.Status.State === "running").length;
  const replicas = replicasOf(service);
  if (running >= replicas && running === wanted.length) return { ok: true };
  return { ok: false, reason: `${running}/${replicas} tasks of the previous version running` };
}

/** The service as the planner sees it, from dray's labels on it and its running tasks. */
export function liveService(service: SwarmService, tasks: readonly SwarmTask[]): LiveService | undefined {
  const labels = service.Spec.Labels ?? {};
  const name = labels[LABELS.service];
  if (!name) return undefined;
  const running = tasks.filter(
    (t) => t.ServiceID === service.ID && t.DesiredState === "running" && t.Status.State === "running",
  ).length;
  // A finished rollback runs the previous version, whose labels the planner reads: that one runs.
  const update = service.UpdateStatus?.State;
  const stuck = updateAbandoned(service) && update !== "rollback_completed";
  const replicas = replicasOf(service);
  const since = service.UpdatedAt ?? service.CreatedAt;
  const version = readVersion(labels, since);
  const previous = readPrevious(labels);
  const image = parseOwned(labels[LABELS.owned])?.image;
  return {
    name,
    imageId: labels[LABELS.imageId] as LiveService["imageId"],
    ...(image !== undefined ? { image } : {}),
    specDigest: labels[LABELS.specDigest] as LiveService["specDigest"],
    ids: [service.ID],
    running: running >= replicas && !stuck,
    state: `${running}/${replicas} tasks running${stuck ? `, update ${update!.replace("_", " ")}` : ""}`,
    drift: serviceDrift(name, service),
    ...(version ? { version } : {}),
    ...(previous ? { previous } : {}),
    ...(since ? { since } : {}),
  };
}
