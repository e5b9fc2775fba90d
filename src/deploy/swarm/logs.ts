/**
 * A service's log on a swarm: the service logs API (`GET /services/{id}/logs`), which gathers
 * every task's output. Asked with `details=true`, each line starts with its context
 * ("com.docker.swarm.node.id=…,com.docker.swarm.service.id=…,com.docker.swarm.task.id=… ") — as
 * `docker service logs` asks — so that a line can be put to its task's slot ("api.2").
 */
import type { EngineClient } from "../../engine/index.js";
import { readEngineLog } from "../engine-log.js";
import { type LogRequest, type ServiceLog, sourceNames } from "../log-source.js";
import { LABELS } from "../types.js";
import { listServices, listTasks, type SwarmService, type SwarmTask } from "./swarm-api.js";

const TASK_KEY = "com.docker.swarm.task.id";

/** The log of `service` of `project`, or undefined when the swarm does not run it. */
export async function swarmServiceLog(
  engine: EngineClient,
  project: string,
  service: string,
  request: LogRequest,
): Promise<ServiceLog | undefined> {
  const found = (await listServices(engine, project)).find(
    (s) => s.Spec.Labels?.[LABELS.service] === service,
  );
  if (!found) return undefined;
  const replicas = found.Spec.Mode?.Replicated?.Replicas ?? 1;
  const names = sourceNames(service, Math.max(1, replicas));
  let slots = await taskSlots(engine, found);
  const sourceOf = async (task: string | undefined) => {
    if (replicas <= 1 || task === undefined) return service;
    // A task started after the log was opened: ask once more.
    if (!slots.has(task)) slots = await taskSlots(engine, found);
    const slot = slots.get(task);
    return slot === undefined ? service : `${service}.${slot}`;
  };
  return {
    service,
    sources: names,
    async read(emit) {
      // `details` puts each line's task in front of it; a service removed meanwhile ends the stream.
      const path = `/services/${encodeURIComponent(found.ID)}/logs`;
      await readEngineLog(engine, path, request, { details: true }, async (line) => {
        const { context, text } = splitDetails(line.text);
        emit({ source: await sourceOf(context.get(TASK_KEY)), stream: line.stream, text });
      });
    },
  };
}

async function taskSlots(engine: EngineClient, service: SwarmService): Promise<Map<string, number>> {
  const tasks = (await listTasks(engine, [service.ID])) as (SwarmTask & { Slot?: number })[];
  return new Map(tasks.flatMap((t) => (t.Slot === undefined ? [] : [[t.ID, t.Slot] as const])));
}

/** "k=v,k=v message" → the context (values URL-decoded, as the engine encodes them) and the message. */
export function splitDetails(line: string): { context: Map<string, string>; text: string } {
  const space = line.indexOf(" ");
  const head = space < 0 ? line : line.slice(0, space);
  if (!head.includes("=")) return { context: new Map(), text: line };
  const context = new Map<string, string>();
  for (const pair of head.split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) context.set(decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1)));
  }
  return { context, text: space < 0 ? "" : line.slice(space + 1) };
}
