/** Resolution of the deploy settings: defaults applied, durations in milliseconds, ports parsed. Pure. */
import path from "node:path";
import { DURATION_PATTERN, MEMORY_PATTERN, PUBLISH_PATTERN } from "./patterns.js";
import type { DeployConfig, LiveConfig } from "./schema.js";
import type { DeploySettings, HealthCheck, ImageSettings, LiveRules, PublishedPort } from "./types.js";

/** Milliseconds of "500ms", "30s", "2m" or a number of seconds. */
export function durationMs(value: number | string): number {
  if (typeof value === "number") return Math.round(value * 1000);
  const [, amount, unit] = DURATION_PATTERN.exec(value)!;
  const factor = unit === "ms" ? 1 : unit === "s" ? 1000 : 60_000;
  return Math.round(Number(amount) * factor);
}

function publishedPort(entry: number | string): PublishedPort {
  if (typeof entry === "number") return { host: entry, container: entry, protocol: "tcp" };
  const [, hostPort, containerPort, protocol] = PUBLISH_PATTERN.exec(entry)!;
  const container = Number(containerPort);
  return {
    host: hostPort === undefined ? container : Number(hostPort),
    container,
    protocol: protocol === "udp" ? "udp" : "tcp",
  };
}

/** The first port the image exposes, as a number: where an HTTP health check goes by default. */
function firstPort(image: ImageSettings): number | undefined {
  const first = image.ports[0];
  return first === undefined ? undefined : Number(first.split("/")[0]);
}

function healthCheck(config: NonNullable<DeployConfig["health"]>, image: ImageSettings): HealthCheck {
  const port = config.port ?? firstPort(image);
  return {
    http: config.http !== undefined && port !== undefined ? { path: config.http, port } : undefined,
    command: config.command ? [...config.command] : undefined,
    intervalMs: durationMs(config.interval ?? "1s"),
    timeoutMs: durationMs(config.timeout ?? "60s"),
  };
}

/** A service's deploy settings with defaults. */
export function resolveDeploy(config: DeployConfig | undefined, image: ImageSettings): DeploySettings {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(config?.env ?? {})) env[key] = String(value);
  return {
    replicas: config?.replicas ?? 1,
    publish: (config?.publish ?? []).map(publishedPort),
    health: config?.health ? healthCheck(config.health, image) : undefined,
    restart: config?.restart ?? "unless-stopped",
    env,
    ...(config?.resources ? { resources: resolveResources(config.resources) } : {}),
  };
}

const MEMORY_UNITS = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 } as const;

function resolveResources(config: NonNullable<DeployConfig["resources"]>): DeploySettings["resources"] {
  let memoryBytes: number | undefined;
  if (typeof config.memory === "number") memoryBytes = config.memory;
  else if (config.memory !== undefined) {
    const [, amount, unit] = MEMORY_PATTERN.exec(config.memory)!;
    memoryBytes = Math.round(Number(amount) * MEMORY_UNITS[unit as keyof typeof MEMORY_UNITS]);
  }
  return {
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(config.cpus === undefined ? {} : { cpus: config.cpus }),
  };
}

/** Live-update rules with absolute host paths; none written means none (Go services still get their binary rule). */
export function resolveLive(config: LiveConfig | undefined, root: string): LiveRules {
  return {
    sync: (config?.sync ?? []).map((rule) => {
      const { from, to } = typeof rule === "string" ? splitRule(rule) : rule;
      return { from: path.resolve(root, from), to: path.posix.normalize(to) };
    }),
    run: (config?.run ?? []).map((argv) => [...argv]),
    restart: config?.restart ?? true,
  };
}

function splitRule(rule: string): { from: string; to: string } {
  const at = rule.indexOf(":/");
  return { from: rule.slice(0, at), to: rule.slice(at + 1) };
}
