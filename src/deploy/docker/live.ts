/**
 * The docker target's live state: each service's container, found by dray's labels (or, for a
 * service of dray.yaml, by the name dray gives its container), with its identity, how it runs, and
 * what was changed behind dray's back compared with the record dray labelled it with.
 */
import type { EngineClient } from "../../engine/index.js";
import { engineError } from "../../engine/index.js";
import { compareOwned, type Drift, type OwnedFields, parseOwned } from "../drift.js";
import { parseEnvList } from "../engine-spec.js";
import { LABELS, type LiveService } from "../types.js";
import { readPrevious, readVersion } from "../versions.js";
import { containerName } from "./container-spec.js";

/** What `GET /containers/json` says of a container. */
interface Listed {
  Id: string;
  Names: string[];
  State: string;
  Status: string;
  Labels: Record<string, string>;
}

/** The parts of `GET /containers/{id}/json` that drift is read from. */
export interface InspectedContainer {
  Id: string;
  Name: string;
  /** The ID of the image the container was created from. */
  Image?: string;
  State: { Status: string; Running: boolean; ExitCode: number; StartedAt?: string };
  Config: { Image: string; Env?: string[] | null; Labels?: Record<string, string> | null };
  HostConfig: {
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    RestartPolicy?: { Name?: string };
  };
  NetworkSettings?: { Networks?: Record<string, unknown> | null };
}

async function inspect(engine: EngineClient, ref: string): Promise<InspectedContainer | undefined> {
  const request = { method: "GET" as const, path: `/containers/${encodeURIComponent(ref)}/json` };
  const res = await engine.raw(request);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw engineError(request, res);
  return JSON.parse(res.body.toString("utf8")) as InspectedContainer;
}

/** Every service of `project` on the engine, by name; `services` are looked for by container name too. */
export async function readDockerLive(
  engine: EngineClient,
  project: string,
  services: readonly string[] = [],
): Promise<Map<string, LiveService>> {
  const containers = await engine.json<Listed[]>({
    method: "GET",
    path: "/containers/json",
    query: { all: true, filters: JSON.stringify({ label: [`${LABELS.project}=${project}`] }) },
  });
  const byService = new Map<string, Listed[]>();
  for (const c of containers) {
    const service = c.Labels[LABELS.service];
    if (service) byService.set(service, [...(byService.get(service) ?? []), c]);
  }
  const live = new Map<string, LiveService>();
  await Promise.all(
    [...byService].map(async ([service, list]) => {
      // The container under the stable name speaks for the service; a leftover ".next" does not.
      const main = list.find((c) => c.Names.includes(`/${containerName(project, service)}`)) ?? list[0]!;
      const details = await inspect(engine, main.Id);
      const sameImage = details ? await runsRecordedImage(engine, details) : false;
      const running = main.State === "running" && !main.Status.includes("(unhealthy)") && list.length === 1;
      const since = startedAt(details);
      const version = readVersion(main.Labels, since);
      const previous = readPrevious(main.Labels);
      const image = parseOwned(main.Labels[LABELS.owned])?.image;
      live.set(service, {
        name: service,
        imageId: main.Labels[LABELS.imageId] as LiveService["imageId"],
        ...(image !== undefined ? { image } : {}),
        specDigest: main.Labels[LABELS.specDigest] as LiveService["specDigest"],
        ids: list.map((c) => c.Id),
        running,
        state: describeState(main, details) + (list.length > 1 ? `, and ${list.length - 1} leftover` : ""),
        drift: details ? containerDrift(service, details, sameImage) : [],
        ...(version ? { version } : {}),
        ...(previous ? { previous } : {}),
        ...(since ? { since } : {}),
      });
    }),
  );
  // A container under a service's name without dray's labels took its place (replaced by hand).
  await Promise.all(
    services
      .filter((service) => !live.has(service))
      .map(async (service) => {
        const found = await inspect(engine, containerName(project, service));
        if (!found || found.Config.Labels?.[LABELS.project] !== undefined) return;
        live.set(service, {
          name: service,
          imageId: undefined,
          specDigest: undefined,
          ids: [found.Id],
          running: found.State.Running,
          state: stateOf(found),
          drift: [
            {
              service,
              field: "container",
              deployed: "created by dray",
              live: `created elsewhere, running ${found.Config.Image}`,
            },
          ],
        });
      }),
  );
  return live;
}

/** When the container last started; the engine's zero time for one never started. */
function startedAt(details: InspectedContainer | undefined): string | undefined {
  const at = details?.State.StartedAt;
  return at && !at.startsWith("0001-") ? at : undefined;
}

function stateOf(details: InspectedContainer): string {
  const status = details.State.Status;
  return status === "exited" ? `exited (code ${details.State.ExitCode})` : status;
}

function describeState(listed: Listed, details: InspectedContainer | undefined): string {
  if (!details) return listed.State;
  if (listed.Status.includes("(unhealthy)")) return "running, unhealthy";
  return stateOf(details);
}

/** The fields dray set on a container, read back from the container itself. */
export function liveOwned(details: InspectedContainer, envNames: readonly string[]): OwnedFields {
  // The container's environment is the image's and dray's together: only dray's names are compared.
  const all = parseEnvList(details.Config.Env);
  const env = Object.fromEntries(Object.entries(all).filter(([name]) => envNames.includes(name)));
  const ports: string[] = [];
  for (const [port, bindings] of Object.entries(details.HostConfig.PortBindings ?? {}))
    for (const b of bindings ?? []) ports.push(`${b.HostIp ?? ""}:${b.HostPort ?? ""}:${port}`);
  return {
    image: details.Config.Image,
    env,
    ports,
    restart: details.HostConfig.RestartPolicy?.Name || "no",
    networks: Object.keys(details.NetworkSettings?.Networks ?? {}),
  };
}

/**
 * Whether the container runs the very image dray created it from, though the engine names it
 * otherwise: Podman reports one of the image's names where dray gave its ID. Asked of the engine
 * only when the names differ.
 */
async function runsRecordedImage(engine: EngineClient, details: InspectedContainer): Promise<boolean> {
  const recorded = parseOwned(details.Config.Labels?.[LABELS.owned])?.image;
  if (recorded === undefined || recorded === details.Config.Image || details.Image === undefined)
    return false;
  const res = await engine.raw({ method: "GET", path: `/images/${encodeURIComponent(recorded)}/json` });
  return (
    res.status === 200 && (JSON.parse(res.body.toString("utf8")) as { Id?: string }).Id === details.Image
  );
}

/**
 * What differs from dray's record on the container, and a container that is not running.
 * `sameImage`: the engine says the container runs the recorded image under another name.
 */
export function containerDrift(service: string, details: InspectedContainer, sameImage = false): Drift[] {
  const recorded = parseOwned(details.Config.Labels?.[LABELS.owned]);
  const live = recorded ? liveOwned(details, Object.keys(recorded.env ?? {})) : undefined;
  const drift =
    recorded && live
      ? compareOwned(service, recorded, sameImage ? { ...live, image: recorded.image } : live)
      : [];
  // Restarting is the engine's restart policy at work; anything else that is not running was stopped.
  if (!details.State.Running && details.State.Status !== "restarting")
    drift.push({ service, field: "state", deployed: "running", live: stateOf(details) });
  return drift;
}
