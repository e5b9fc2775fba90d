/** The swarm calls the target makes, with the engine's failures turned into what a user can act on. */
import type { EngineClient, EngineRequest } from "../../engine/index.js";
import { demultiplexLog, engineError, engineMessage, lastLogLines } from "../../engine/index.js";
import { ExitCode, UserError } from "../../errors/index.js";
import { LABELS } from "../types.js";

/** The parts of a swarm service (`GET /services/{id}`) the target reads. */
export interface SwarmService {
  ID: string;
  Version: { Index: number };
  CreatedAt?: string;
  /** When the spec last changed (a deploy, a rollback, a scale). */
  UpdatedAt?: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number }; Global?: object };
    TaskTemplate?: {
      ForceUpdate?: number;
      RestartPolicy?: { Condition?: string };
      ContainerSpec?: { Image?: string; Env?: string[] | null };
    };
    EndpointSpec?: {
      Ports?:
        | { Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }[]
        | null;
    };
  };
  /** Absent until an update ran; swarm clears it when a new spec is posted. */
  UpdateStatus?: { State?: string; Message?: string };
}

/** The parts of a task (`GET /tasks`) that tell whether a version runs. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  DesiredState: string;
  Spec: { ContainerSpec?: { Image?: string; Labels?: Record<string, string> } };
  Status: {
    Timestamp?: string;
    State: string;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

async function call<T>(engine: EngineClient, request: EngineRequest, ok: number[]): Promise<T | undefined> {
  const res = await engine.raw(request);
  if (res.status === 404) return undefined;
  if (!ok.includes(res.status)) throw engineError(request, res);
  return (res.body.length === 0 ? undefined : JSON.parse(res.body.toString("utf8"))) as T;
}

/** Every service labelled with the project. */
export async function listServices(engine: EngineClient, project: string): Promise<SwarmService[]> {
  const filters = JSON.stringify({ label: [`${LABELS.project}=${project}`] });
  return (
    (await call<SwarmService[]>(engine, { method: "GET", path: "/services", query: { filters } }, [200])) ??
    []
  );
}

export function inspectService(engine: EngineClient, id: string): Promise<SwarmService | undefined> {
  return call<SwarmService>(engine, { method: "GET", path: `/services/${encodeURIComponent(id)}` }, [200]);
}

/** Every task of these services, current and past (swarm keeps a few per slot). */
export async function listTasks(engine: EngineClient, serviceIds: readonly string[]): Promise<SwarmTask[]> {
  if (serviceIds.length === 0) return [];
  const filters = JSON.stringify({ service: serviceIds });
  return (
    (await call<SwarmTask[]>(engine, { method: "GET", path: "/tasks", query: { filters } }, [200])) ?? []
  );
}

/** Creates the service; a name or port someone else holds becomes an error saying what to do. */
export async function createService(
  engine: EngineClient,
  spec: Record<string, unknown>,
  service: string,
  where: string,
  headers: Record<string, string> = {},
): Promise<string> {
  // headers: X-Registry-Auth, so that the nodes can pull from a registry that needs a login.
  const request = { method: "POST" as const, path: "/services/create", body: spec, headers };
  const res = await engine.raw(request);
  if (res.status === 201) return (JSON.parse(res.body.toString("utf8")) as { ID: string }).ID;
  throw specProblem(request, res, service, where) ?? engineError(request, res);
}

/** Posts a new spec for a service at `version`; `rollback` asks swarm to go back to the previous spec. */
export async function updateService(
  engine: EngineClient,
  id: string,
  version: number,
  spec: Record<string, unknown>,
  context: { service: string; where: string; rollback?: boolean; headers?: Record<string, string> },
): Promise<void> {
  const request = {
    method: "POST" as const,
    path: `/services/${encodeURIComponent(id)}/update`,
    query: { version, ...(context.rollback ? { rollback: "previous" } : {}) },
    body: spec,
    headers: context.headers ?? {},
  };
  const res = await engine.raw(request);
  if (res.status === 200) return;
  throw specProblem(request, res, context.service, context.where) ?? engineError(request, res);
}

function specProblem(
  request: EngineRequest,
  res: { status: number; body: Buffer },
  service: string,
  where: string,
): UserError | undefined {
  const message = engineMessage(res.body);
  const port = /port '(\d+)' is already in use by service '([^']+)'/.exec(message);
  if (port)
    return new UserError(`${service}: cannot publish port ${port[1]}: swarm service ${port[2]} has it`, {
      details: message,
      hint: `Remove that service, or change \`deploy.publish\` of ${service} (${where}).`,
    });
  // Name conflicts are the only 409 of a create; readLive did not see that service, so dray's labels are missing.
  if (res.status === 409 && request.path === "/services/create")
    return new UserError(
      `${service}: a swarm service named ${(request.body as { Name: string }).Name} exists, but dray did not deploy it`,
      {
        details: message,
        hint: "Remove or rename that service (docker service rm), or give the project another name.",
      },
    );
  return undefined;
}

export async function removeService(engine: EngineClient, id: string): Promise<void> {
  const request = { method: "DELETE" as const, path: `/services/${encodeURIComponent(id)}` };
  const res = await engine.raw(request);
  if (res.status !== 200 && res.status !== 404) throw engineError(request, res);
}

/**
 * Makes sure the overlay network exists and is attachable. A local network of the same name (a
 * docker target's bridge) cannot carry swarm services, so that is an error naming the setting.
 */
export async function ensureOverlayNetwork(
  engine: EngineClient,
  name: string,
  project: string,
  where: string,
): Promise<void> {
  const found = await call<{ Driver?: string; Scope?: string }>(
    engine,
    { method: "GET", path: `/networks/${encodeURIComponent(name)}` },
    [200],
  );
  if (found) {
    if (found.Scope === "swarm") return;
    throw new UserError(`network ${name} exists on ${engine.address.text} as a ${found.Driver} network`, {
      exitCode: ExitCode.usage,
      hint: `A swarm service joins only an overlay network: set \`network:\` of the target (${where}) to another name, or remove that network.`,
    });
  }
  const request = {
    method: "POST" as const,
    path: "/networks/create",
    body: {
      Name: name,
      Driver: "overlay",
      Attachable: true,
      CheckDuplicate: true,
      Labels: { [LABELS.project]: project },
    },
  };
  const created = await engine.raw(request);
  // 409: another run created it a moment ago.
  if (created.status !== 201 && created.status !== 409) throw engineError(request, created);
}

/** The last lines a task wrote: through swarm (any node), else from its container on this engine. */
export async function taskLogLines(engine: EngineClient, task: SwarmTask, count: number): Promise<string[]> {
  const res = await engine.raw({
    method: "GET",
    path: `/tasks/${encodeURIComponent(task.ID)}/logs`,
    query: { stdout: true, stderr: true, tail: count },
  });
  const lines = res.status === 200 ? demultiplexLog(res.body).slice(-count) : [];
  const container = task.Status.ContainerStatus?.ContainerID;
  if (lines.length > 0 || !container) return lines;
  return lastLogLines(engine, container, count);
}
