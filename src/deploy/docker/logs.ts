/**
 * A service's log on a docker target: its containers' logs (`GET /containers/{id}/logs`), the
 * oldest first when a replacement left more than one.
 */
import type { EngineClient } from "../../engine/index.js";
import { readEngineLog } from "../engine-log.js";
import { type LogRequest, type ServiceLog, sourceNames } from "../log-source.js";
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
      await Promise.all(
        containers.map((c, i) =>
          // A container removed meanwhile took its log with it: that stream just ends.
          readEngineLog(engine, `/containers/${encodeURIComponent(c.Id)}/logs`, request, {}, (line) =>
            emit({ source: names[i]!, ...line }),
          ),
        ),
      );
    },
  };
}
