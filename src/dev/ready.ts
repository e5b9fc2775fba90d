/**
 * Starting a service's process again, and knowing when it is ready: its health check answers,
 * polled tightly.
 */
import net from "node:net";
import type { DockerTargetConfig, ResolvedService } from "../config/index.js";
import { containerProbe, type ProbeResult, serviceHealth, waitUntilHealthy } from "../deploy/index.js";
import { type EngineClient, engineError, execInContainer } from "../engine/index.js";
import { SUPERVISOR_PATH, SUPERVISOR_PORT } from "./supervisor/protocol.js";

/** Polls every few milliseconds: in the inner loop each one spent waiting is felt. */
const DEV_POLL_MS = 5;

export function waitForReady(
  engine: EngineClient,
  container: string,
  service: ResolvedService,
  target: DockerTargetConfig,
): Promise<ProbeResult> {
  // Each request bounded tighter than a deploy's: a hung answer would hold up the whole update.
  const probe = containerProbe(engine, container, serviceHealth(service.deploy, target, 1000));
  return waitUntilHealthy(probe, {
    intervalMs: DEV_POLL_MS,
    timeoutMs: service.deploy.health?.timeoutMs ?? 30_000,
  });
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
  reload?: ReloadAddress,
): Promise<void> {
  if (reload && (await reloadOverTcp(reload))) return;
  if (wrapped) {
    const { exitCode } = await execInContainer(engine, container, [SUPERVISOR_PATH, "reload"]);
    if (exitCode === 0) return;
  }
  const request = { method: "POST" as const, path: `/containers/${container}/restart`, query: { t: 2 } };
  const res = await engine.raw(request);
  if (res.status !== 204) throw engineError(request, res);
}

/** The supervisor's TCP address and token of a wrapped container, from the engine. */
export interface ReloadAddress {
  host: string;
  port: number;
  token: string;
}

export async function reloadAddress(
  engine: EngineClient,
  container: string,
  network: string,
): Promise<ReloadAddress | undefined> {
  const info = await engine.json<{
    Config: { Env: string[] | null };
    NetworkSettings: { Networks: Record<string, { IPAddress?: string }> };
  }>({ method: "GET", path: `/containers/${container}/json` });
  const env = new Map(
    (info.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
  const token = env.get("DRAY_SUPERVISE_TOKEN");
  const host = info.NetworkSettings.Networks[network]?.IPAddress;
  return token && host ? { host, port: SUPERVISOR_PORT, token } : undefined;
}

/**
 * One TCP round trip to the supervisor; true once it answers "ok" (the new process has started).
 * False when the container's address cannot be reached from here (rootless engines): the caller
 * falls back to an engine exec.
 */
function reloadOverTcp(reload: ReloadAddress): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: reload.host, port: reload.port, timeout: 500 });
    let answer = "";
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on("connect", () => {
      socket.setTimeout(10_000);
      socket.write(`reload ${reload.token}\n`);
    });
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (answer.includes("\n")) finish(answer.startsWith("ok "));
    });
    socket.on("timeout", () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("end", () => finish(answer.startsWith("ok ")));
  });
}
