/** The container a service runs as on a docker target: pure, from the desired service and the target. */
import type { DockerTargetConfig } from "../../config/types.js";
import { type DesiredService, LABELS } from "../types.js";

/** Docker durations are nanoseconds. */
const NS_PER_MS = 1_000_000;

/** The container's stable name; a replacement runs as `<name>.next` until it is healthy. */
export function containerName(project: string, service: string): string {
  return `${project}-${service}`;
}

export function nextContainerName(project: string, service: string): string {
  return `${containerName(project, service)}.next`;
}

/** The body of `POST /containers/create`. */
export function containerSpec(desired: DesiredService, target: DockerTargetConfig): Record<string, unknown> {
  const { deploy, image } = desired.spec;
  const exposed: Record<string, object> = {};
  for (const port of image.ports) exposed[port] = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of deploy.publish) {
    const key = `${p.container}/${p.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: target.bind, HostPort: String(p.host) }];
  }
  const health = deploy.health;
  return {
    Image: desired.image,
    Labels: {
      [LABELS.project]: desired.spec.project,
      [LABELS.service]: desired.name,
      [LABELS.imageId]: desired.imageId,
      [LABELS.specDigest]: desired.specDigest,
    },
    Env: Object.entries(deploy.env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    ...(health?.command
      ? {
          Healthcheck: {
            Test: ["CMD", ...health.command],
            Interval: health.intervalMs * NS_PER_MS,
            Timeout: Math.max(health.intervalMs, 1000) * NS_PER_MS,
            Retries: 3,
            StartPeriod: 0,
          },
        }
      : {}),
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: deploy.restart === "no" ? "" : deploy.restart },
      NetworkMode: target.network,
    },
    NetworkingConfig: { EndpointsConfig: { [target.network]: { Aliases: [desired.name] } } },
  };
}
