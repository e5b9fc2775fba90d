/**
 * Waiting for swarm to run a new spec, and cleaning up when it does not: a new service that never
 * converges is removed; a failed update is rolled back by swarm (FailureAction "rollback"), or on
 * request when dray's own wait or HTTP check gave up first.
 */
import type { SwarmTargetConfig } from "../../config/index.js";
import type { EngineClient } from "../../engine/index.js";
import { UserError } from "../../errors/index.js";
import { DeployFailure } from "../failure.js";
import { httpProbe, type ProbeResult, waitUntilHealthy } from "../health.js";
import type { ApplyContext, DesiredService } from "../types.js";
import { convergence, failedTask, replicasOf, settled } from "./convergence.js";
import { inspectService, listTasks, removeService, taskLogLines, updateService } from "./swarm-api.js";

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * The least time a rollback gets: a loaded one-node manager was seen still rolling back, after more
 * than 60 s, a version whose task exits at once.
 */
const ROLLBACK_MIN_WAIT_MS = 180_000;
const LOG_LINES = 20;

/** What a rollout needs from the target. */
export interface Rollout {
  engine: EngineClient;
  config: SwarmTargetConfig;
  /** Where the target's settings are written, for messages. */
  where: string;
  /** Host that reaches ports published by the swarm (the engine's, or loopback for a local socket). */
  publishedHost: string;
  context: ApplyContext;
}

function pollInterval(desired: DesiredService): number {
  return Math.min(desired.spec.deploy.health?.intervalMs ?? 1000, 1000);
}

/**
 * Waits until the service runs `desired`. Swarm's "completed" already includes its monitor period;
 * without it (a new service, or before swarm picked the update up) a task that runs for an instant
 * and exits would look converged, so dray watches the tasks run for the monitor period itself.
 */
export function waitForConvergence(
  r: Rollout,
  id: string,
  desired: DesiredService,
  kind: "create" | "update",
): Promise<ProbeResult> {
  const { update } = r.config;
  const batches = Math.ceil(Math.max(desired.spec.deploy.replicas, 1) / update.parallelism);
  const timeoutMs =
    (desired.spec.deploy.health?.timeoutMs ?? DEFAULT_TIMEOUT_MS) +
    (kind === "update" ? batches : 1) * update.monitorMs;
  let runningSince: number | undefined;
  const probe = async (): Promise<ProbeResult> => {
    // Swarm finishes (or rolls back) an update on its own: an interrupted deploy stops watching.
    if (r.context.signal.aborted) return { ok: false, reason: "interrupted", final: true };
    const service = await inspectService(r.engine, id);
    if (!service) return { ok: false, reason: "the service disappeared", final: true };
    const result = convergence(service, await listTasks(r.engine, [id]), desired);
    if (!result.ok || service.UpdateStatus?.State === "completed") {
      runningSince = undefined;
      return result;
    }
    runningSince ??= Date.now();
    const watched = Date.now() - runningSince;
    return watched >= update.monitorMs
      ? result
      : { ok: false, reason: `running; watching it for ${update.monitorMs} ms (${watched} ms so far)` };
  };
  return waitUntilHealthy(probe, { intervalMs: pollInterval(desired), timeoutMs });
}

/** GETs the HTTP health path through the published port; healthy at once when there is none to reach. */
export async function checkHttp(r: Rollout, desired: DesiredService): Promise<ProbeResult> {
  const { health, publish } = desired.spec.deploy;
  if (!health?.http) return { ok: true };
  const published = publish.find((p) => p.container === health.http!.port && p.protocol === "tcp");
  if (!published) {
    r.context.log(
      desired.name,
      `port ${health.http.port} is not published: swarm's own state stands for health`,
    );
    return { ok: true };
  }
  const url = `http://${r.publishedHost}:${published.host}${health.http.path}`;
  return waitUntilHealthy(() => httpProbe(url), {
    intervalMs: health.intervalMs,
    timeoutMs: health.timeoutMs,
  });
}

/** The last lines of the new version's most recent failed task, if one failed. */
async function failureLogs(r: Rollout, id: string, desired: DesiredService): Promise<string[]> {
  const task = failedTask(await listTasks(r.engine, [id]), desired);
  return task ? taskLogLines(r.engine, task, LOG_LINES) : [];
}

function interrupted(service: string): UserError {
  return new UserError(`${service}: interrupted while swarm was rolling it out`, {
    hint: "Swarm finishes the update, or rolls it back, on its own; `dray deploy` again shows where it ended.",
  });
}

/** A new service that did not converge: keep its logs, remove it, and say why. */
export async function failCreate(
  r: Rollout,
  id: string,
  desired: DesiredService,
  reason: string,
): Promise<never> {
  if (reason === "interrupted") throw interrupted(desired.name);
  const logs = await failureLogs(r, id, desired);
  await r.context.step(desired.name, "remove", () => removeService(r.engine, id));
  throw new DeployFailure(`${desired.name}: the new service did not become healthy: ${reason}`, {
    service: desired.name,
    logs,
    rolledBack: false,
  });
}

/**
 * An update that failed: unless swarm is rolling back already, ask it to; wait (bounded) for the
 * rollback to finish, then report with the failed task's logs.
 */
export async function failUpdate(
  r: Rollout,
  id: string,
  desired: DesiredService,
  reason: string,
): Promise<never> {
  const name = desired.name;
  if (reason === "interrupted") throw interrupted(name);
  const outcome = await r.context.step(name, "roll back", async () => {
    const service = await inspectService(r.engine, id);
    if (!service) return { ok: false, reason: "the service disappeared" } satisfies ProbeResult;
    const state = service.UpdateStatus?.State ?? "";
    if (!state.startsWith("rollback")) {
      r.context.log(name, "asking swarm to roll back");
      await updateService(r.engine, id, service.Version.Index, service.Spec, {
        service: name,
        where: r.where,
        rollback: true,
      });
    }
    const batches = Math.ceil(Math.max(replicasOf(service), 1) / r.config.update.parallelism);
    return waitUntilHealthy(
      async () => {
        const now = await inspectService(r.engine, id);
        const current = now?.UpdateStatus?.State;
        if (now && current === "rollback_completed") return settled(now, await listTasks(r.engine, [id]));
        if (!now || current === "rollback_paused")
          return {
            ok: false,
            reason: `rollback ${current ? "paused" : "lost the service"}: ${now?.UpdateStatus?.Message ?? ""}`,
            final: true,
          };
        return { ok: false, reason: `rollback ${current ?? "pending"}` };
      },
      {
        intervalMs: pollInterval(desired),
        // A rollback is the way back to a working service: it gets at least ROLLBACK_MIN_WAIT_MS
        // even when the service's own health timeout is short, since swarm must stop the failed
        // tasks, start the old ones and watch them (slow on a loaded manager).
        timeoutMs: Math.max(
          ROLLBACK_MIN_WAIT_MS,
          (desired.spec.deploy.health?.timeoutMs ?? DEFAULT_TIMEOUT_MS) + batches * r.config.update.monitorMs,
        ),
      },
    );
  });
  const logs = await failureLogs(r, id, desired);
  throw new DeployFailure(
    `${name}: the new version did not become healthy: ${reason}`,
    { service: name, logs, rolledBack: outcome.ok },
    outcome.ok
      ? {}
      : {
          hint: `Swarm did not finish rolling ${name} back (${outcome.reason}); see \`docker service ps\` on the manager.`,
        },
  );
}
