/** The container a service runs as on a docker target: pure, from the desired service and the target. */
import type { DockerTargetConfig } from "../../config/types.js";
import { type CommandWrapper, type DesiredService, LABELS } from "../types.js";

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
/**
 * The argv a wrapped container starts with: the wrapper, then the service's own command. Only
 * when dray knows that command (its entrypoint is set, as every Go service's is).
 */
export function wrappedCommand(
  desired: DesiredService,
  wrapper: CommandWrapper | undefined,
): string[] | undefined {
  const { entrypoint, args } = desired.spec.image;
  if (!wrapper || !entrypoint || entrypoint.length === 0) return undefined;
  return [wrapper.path, ...entrypoint, ...(args ?? [])];
}

export function containerSpec(
  desired: DesiredService,
  target: DockerTargetConfig,
  wrapper?: CommandWrapper,
): Record<string, unknown> {
  const { deploy, image } = desired.spec;
  const wrapped = wrappedCommand(desired, wrapper);
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
      ...(wrapped ? { [LABELS.wrapped]: wrapper!.digest } : {}),
    },
    // A set Entrypoint drops the image's Cmd, so the whole command goes into the entrypoint.
    ...(wrapped ? { Entrypoint: wrapped, Cmd: [] } : {}),
    Env: Object.entries({ ...deploy.env, ...(wrapped ? wrapper!.env : {}) }).map(([k, v]) => `${k}=${v}`),
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
