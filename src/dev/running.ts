/**
 * What the dev loop knows of each running service — its container, image, supervisor address and
 * what was last copied into it — and the one place that reports a service's state to the hub and
 * follows its logs.
 */
import type { ResolvedService } from "../config/index.js";
import { LABELS } from "../deploy/index.js";
import type { EngineClient } from "../engine/index.js";
import type { ServiceStatus } from "./events.js";
import { followLogs, type LogFollower } from "./follow-logs.js";
import type { DevHub } from "./hub.js";
import { type ReloadAddress, reloadAddress } from "./ready.js";

/** One service as the dev loop runs it: its container, image, supervisor and what was copied in. */
export interface RunningService {
  service: ResolvedService;
  container: string | undefined;
  imageId: string | undefined;
  /** Runs behind dray's supervisor, which restarts the process without restarting the container. */
  wrapped: boolean;
  /** Where and how to ask the supervisor for a reload over TCP, when the host can reach the container. */
  reload: ReloadAddress | undefined;
  /** Container path → content hash last copied there. */
  copied: Map<string, string>;
  /** The host file the container runs its binary from (its read-only mount), when it does. */
  liveFile: string | undefined;
  /** The container `liveFile` was decided for (see binary-delivery.ts). */
  liveFor: string | undefined;
  logs: LogFollower | undefined;
}

/** Every service of the dev session, by name, and what to do with them all. */
export interface RunningServices {
  get(name: string): RunningService | undefined;
  all(): RunningService[];
  setState(name: string, status: ServiceStatus, error?: string): void;
  /** Reads the project's containers from the engine: new ones get fresh copy state and log followers. */
  refresh(names: readonly string[], project: string, network: string): Promise<void>;
  stopLogs(): void;
}

/** Tracks `services` on `engine`, reporting each one's state to `hub`. */
export function trackServices(
  services: readonly ResolvedService[],
  engine: EngineClient,
  hub: DevHub,
): RunningServices {
  const running = new Map<string, RunningService>(
    services.map((service) => [
      service.name,
      {
        service,
        container: undefined,
        imageId: undefined,
        wrapped: false,
        reload: undefined,
        copied: new Map(),
        liveFile: undefined,
        liveFor: undefined,
        logs: undefined,
      },
    ]),
  );

  const setState = (name: string, status: ServiceStatus, error?: string) => {
    const r = running.get(name)!;
    hub.setService({
      service: name,
      status,
      imageId: r.imageId,
      containerId: r.container,
      lastUpdateAt: status === "ready" || status === "failed" ? Date.now() : undefined,
      error,
    });
  };

  const follow = (r: RunningService) => {
    r.logs?.stop();
    if (!r.container) return;
    r.logs = followLogs(engine, r.container, (line, stream) =>
      hub.addLog({ service: r.service.name, stream, line, at: Date.now() }),
    );
  };

  return {
    get: (name) => running.get(name),
    all: () => [...running.values()],
    setState,
    async refresh(names, project, network) {
      const containers = await engine.json<{ Id: string; Labels: Record<string, string> }[]>({
        method: "GET",
        path: "/containers/json",
        query: { filters: JSON.stringify({ label: [`${LABELS.project}=${project}`] }) },
      });
      for (const name of names) {
        const r = running.get(name);
        if (!r) continue;
        const container = containers.find((c) => c.Labels[LABELS.service] === name);
        const replaced = container?.Id !== r.container;
        r.container = container?.Id;
        r.imageId = container?.Labels[LABELS.imageId];
        r.wrapped = container?.Labels[LABELS.wrapped] !== undefined;
        r.reload = r.wrapped && r.container ? await reloadAddress(engine, r.container, network) : undefined;
        if (replaced) {
          r.copied.clear();
          follow(r);
        }
      }
    },
    stopLogs() {
      for (const r of running.values()) r.logs?.stop();
    },
  };
}
