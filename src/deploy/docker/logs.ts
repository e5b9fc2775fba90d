/**
 * A service's log on a docker target: its containers' logs (`GET /containers/{id}/logs`), the
 * oldest first when a replacement left more than one.
 */
import { type EngineClient, engineError, logLines } from "../../engine/index.js";
import {
  type LogRecord,
  type LogRequest,
  type ServiceLog,
  sourceNames,
  untilAborted,
} from "../log-source.js";
import { LABELS } from "../types.js";

interface ListedContainer {
  Id: string;
  Created: number;
}

/** The log of `service` of `project`, or undefined when no container of it exists. */
export async function dockerServiceLog(
  engine: EngineClient,
  project: string,
  service: string,
  request: LogRequest,
): Promise<ServiceLog | undefined> {
  const filters = JSON.stringify({ label: [`${LABELS.project}=${project}`, `${LABELS.service}=${service}`] });
  const listed = await engine.json<ListedContainer[]>({
    method: "GET",
    path: "/containers/json",
    query: { all: true, filters },
  });
  if (listed.length === 0) return undefined;
  const containers = [...listed].sort((a, b) => a.Created - b.Created || a.Id.localeCompare(b.Id));
  const names = sourceNames(service, containers.length);
  return {
    service,
    sources: names,
    async read(emit) {
      await Promise.all(containers.map((c, i) => containerLog(engine, c.Id, names[i]!, request, emit)));
    },
  };
}

async function containerLog(
  engine: EngineClient,
  id: string,
  source: string,
  request: LogRequest,
  emit: (record: LogRecord) => void,
): Promise<void> {
  const query = {
    stdout: true,
    stderr: true,
    follow: request.follow,
    ...(request.since === undefined ? {} : { since: request.since.toFixed(3) }),
  };
  const call = { method: "GET" as const, path: `/containers/${encodeURIComponent(id)}/logs`, query };
  const { status, body } = await engine.stream(call);
  const stop = () => body.destroy();
  request.signal.addEventListener("abort", stop, { once: true });
  if (request.signal.aborted) stop();
  try {
    // Removed meanwhile: its log went with it.
    if (status === 404) {
      body.resume();
      return;
    }
    if (status !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      throw engineError(call, { status, body: Buffer.concat(chunks) });
    }
    await untilAborted(request.signal, async () => {
      for await (const line of logLines(body)) emit({ source, ...line });
    });
  } finally {
    request.signal.removeEventListener("abort", stop);
  }
}
