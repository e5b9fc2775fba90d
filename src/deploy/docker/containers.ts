/** The container calls the docker target makes, with the engine's failures turned into what a user can act on. */

import type { EngineClient, EngineResponse } from "../../engine/index.js";
import { engineError, engineMessage } from "../../engine/index.js";
import { ExitCode, UserError } from "../../errors/index.js";
import type { ProbeResult } from "../health.js";

/** What `GET /containers/{id}/json` tells that deploys need. */
export interface ContainerState {
  id: string;
  running: boolean;
  exitCode: number;
  /** "healthy", "unhealthy", "starting", or undefined without a healthcheck. */
  health: string | undefined;
  /** The container's address on each network. */
  addresses: Record<string, string>;
}

export async function inspectContainer(
  engine: EngineClient,
  id: string,
): Promise<ContainerState | undefined> {
  const res = await engine.raw({ method: "GET", path: `/containers/${encodeURIComponent(id)}/json` });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw engineError({ method: "GET", path: `/containers/${id}/json` }, res);
  const body = JSON.parse(res.body.toString("utf8")) as {
    Id: string;
    State: { Running: boolean; Restarting?: boolean; ExitCode: number; Health?: { Status: string } };
    NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
  };
  const addresses: Record<string, string> = {};
  for (const [name, net] of Object.entries(body.NetworkSettings?.Networks ?? {}))
    if (net.IPAddress) addresses[name] = net.IPAddress;
  return {
    id: body.Id,
    running: body.State.Running && !body.State.Restarting,
    exitCode: body.State.ExitCode,
    health: body.State.Health?.Status,
    addresses,
  };
}

/**
 * Makes the target's network when the engine reports it missing; called at most once per request.
 * The network is not looked up beforehand: after the first deploy it exists, and asking costs a call.
 */
export type MakeNetwork = () => Promise<void>;

/**
 * The engine's answer when a container's network does not exist: Docker answers 404 at start, Podman
 * 500 at create ("unable to find network with name or ID shop: network not found").
 */
function missingNetwork(res: EngineResponse): boolean {
  return (
    (res.status === 404 || res.status === 500) && /\bnetwork\b.*\bnot found\b/i.test(engineMessage(res.body))
  );
}

/**
 * Creates a container; returns its ID. A leftover of the same name (a replacement interrupted
 * before its rename) is removed only when the engine reports the name taken, so the usual create is
 * one call.
 */
export async function createContainer(
  engine: EngineClient,
  name: string,
  spec: Record<string, unknown>,
  service: string,
  makeNetwork: MakeNetwork,
): Promise<string> {
  const request = { method: "POST" as const, path: "/containers/create", query: { name }, body: spec };
  let res = await engine.raw(request);
  if (res.status === 409) {
    await removeContainer(engine, name);
    res = await engine.raw(request);
  }
  if (missingNetwork(res)) {
    await makeNetwork();
    res = await engine.raw(request);
  }
  if (res.status === 404)
    throw new UserError(`${service}: the engine does not have the image ${String(spec.Image)}`, {
      hint: "The image was not loaded or pulled; run the deploy again, and check the registry if one is configured.",
    });
  if (res.status !== 201) throw engineError(request, res);
  return (JSON.parse(res.body.toString("utf8")) as { Id: string }).Id;
}

/** Starts a container; a port already in use becomes an error naming the port and what to do. */
export async function startContainer(
  engine: EngineClient,
  id: string,
  service: string,
  where: string,
  makeNetwork: MakeNetwork,
): Promise<void> {
  const request = { method: "POST" as const, path: `/containers/${id}/start` };
  let res = await engine.raw(request);
  if (missingNetwork(res)) {
    await makeNetwork();
    res = await engine.raw(request);
  }
  if (res.status === 204 || res.status === 304) return;
  const message = engineMessage(res.body);
  const port = /(?:Bind for|listen tcp[46]?) ([\d.:[\]a-f]+?):(\d+)(?: failed|: bind)/.exec(message);
  if (port || /port is already allocated|address already in use/.test(message)) {
    throw new UserError(
      `${service}: cannot publish ${port ? `port ${port[2]} on ${port[1]}` : "a port"}: it is already taken`,
      {
        exitCode: ExitCode.failed,
        details: message,
        hint: `Stop whatever listens there, or change \`deploy.publish\` of ${service} (${where}).`,
      },
    );
  }
  throw engineError(request, res);
}

/** Stops gracefully (SIGTERM, then SIGKILL after `seconds`); a container already gone or stopped is fine. */
export async function stopContainer(engine: EngineClient, id: string, seconds = 5): Promise<void> {
  const request = {
    method: "POST" as const,
    path: `/containers/${encodeURIComponent(id)}/stop`,
    query: { t: seconds },
  };
  const res = await engine.raw(request);
  if (res.status !== 204 && res.status !== 304 && res.status !== 404) throw engineError(request, res);
}

export async function removeContainer(engine: EngineClient, id: string): Promise<void> {
  const request = {
    method: "DELETE" as const,
    path: `/containers/${encodeURIComponent(id)}`,
    query: { force: true, v: true },
  };
  const res = await engine.raw(request);
  if (res.status !== 204 && res.status !== 404) throw engineError(request, res);
}

export async function renameContainer(engine: EngineClient, id: string, name: string): Promise<void> {
  const request = { method: "POST" as const, path: `/containers/${id}/rename`, query: { name } };
  const res = await engine.raw(request);
  if (res.status !== 204) throw engineError(request, res);
}

/** A probe that fails for good once the container exited, and otherwise asks `healthy`. */
export function containerProbe(
  engine: EngineClient,
  id: string,
  healthy: (state: ContainerState) => Promise<ProbeResult>,
): () => Promise<ProbeResult> {
  return async () => {
    const state = await inspectContainer(engine, id);
    if (!state) return { ok: false, reason: "the container disappeared", final: true };
    if (!state.running)
      return { ok: false, reason: `the container exited with code ${state.exitCode}`, final: true };
    if (state.health === "unhealthy")
      return { ok: false, reason: "the engine's healthcheck reports it unhealthy", final: true };
    return healthy(state);
  };
}
