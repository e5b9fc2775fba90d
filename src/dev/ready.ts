/**
 * Starting a service's process again, and knowing when it is ready: its health check answers,
 * polled tightly.
 */
import type { DockerTargetConfig, ResolvedService } from "../config/types.js";
import { containerProbe } from "../deploy/docker/containers.js";
import { httpProbe, type ProbeResult, waitUntilHealthy } from "../deploy/health.js";
import { type EngineClient, engineError } from "../engine/client.js";
import { execInContainer } from "../engine/container-files.js";
import { SUPERVISOR_PATH } from "./supervisor/source.js";

/** Polls every few milliseconds: in the inner loop each one spent waiting is felt. */
const DEV_POLL_MS = 15;

export function waitForReady(
  engine: EngineClient,
  container: string,
  service: ResolvedService,
  target: DockerTargetConfig,
): Promise<ProbeResult> {
  const health = service.deploy.health;
  const probe = containerProbe(engine, container, async (state): Promise<ProbeResult> => {
    if (health?.command && state.health !== "healthy")
      return { ok: false, reason: `healthcheck: ${state.health ?? "starting"}` };
    if (!health?.http) return { ok: true };
    const published = service.deploy.publish.find(
      (p) => p.container === health.http!.port && p.protocol === "tcp",
    );
    const host = published ? target.bind.replace("0.0.0.0", "127.0.0.1") : state.addresses[target.network];
    if (!host) return { ok: false, reason: `no address on network ${target.network}` };
    return httpProbe(
      `http://${host}:${published ? published.host : health.http.port}${health.http.path}`,
      1000,
    );
  });
  return waitUntilHealthy(probe, { intervalMs: DEV_POLL_MS, timeoutMs: health?.timeoutMs ?? 30_000 });
}

/**
 * Restarts the service's process: behind dray's supervisor, `dray-supervise reload` (an engine
 * exec that returns once the new process has started — milliseconds); otherwise, or if that
 * fails, the container itself (the engine tears down and rebuilds its network: slower).
 */
export async function restartProcess(
  engine: EngineClient,
  container: string,
  wrapped: boolean,
): Promise<void> {
  if (wrapped) {
    const { exitCode } = await execInContainer(engine, container, [SUPERVISOR_PATH, "reload"]);
    if (exitCode === 0) return;
  }
  const request = { method: "POST" as const, path: `/containers/${container}/restart`, query: { t: 2 } };
  const res = await engine.raw(request);
  if (res.status !== 204) throw engineError(request, res);
}
