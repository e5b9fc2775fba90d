/** The container a service runs as on a docker target: pure, from the desired service and the target. */
import type { DockerTargetConfig } from "../../config/index.js";
import { canonicalJson } from "../../oci/index.js";
import type { OwnedFields } from "../drift.js";
import { engineHealthcheck, envList, identityLabels } from "../engine-spec.js";
import { type CommandWrapper, type DesiredService, LABELS } from "../types.js";
import { type VersionRecord, versionLabels } from "../versions.js";

/** The container's stable name; a replacement runs as `<name>.next` until it is healthy. */
export function containerName(project: string, service: string): string {
  return `${project}-${service}`;
}

export function nextContainerName(project: string, service: string): string {
  return `${containerName(project, service)}.next`;
}

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

/**
 * The fields of the container dray owns, as it sets them: recorded in a label, so that drift can
 * be read off the engine alone. The wrapper's environment is dev mode's own and not recorded.
 */
export function containerOwned(desired: DesiredService, target: DockerTargetConfig): OwnedFields {
  const { deploy } = desired.spec;
  return {
    image: desired.image,
    env: { ...deploy.env },
    ports: deploy.publish.map((p) => `${target.bind}:${p.host}:${p.container}/${p.protocol}`),
    restart: deploy.restart,
    networks: [target.network],
  };
}

/** The body of `POST /containers/create`; `previous`: the version it replaces, kept in a label. */
export function containerSpec(
  desired: DesiredService,
  target: DockerTargetConfig,
  wrapper?: CommandWrapper,
  previous?: VersionRecord,
): Record<string, unknown> {
  const { deploy, image } = desired.spec;
  const wrapped = wrappedCommand(desired, wrapper);
  const extras = wrapped ? wrapper!.forService?.(desired) : undefined;
  const exposed: Record<string, object> = {};
  for (const port of image.ports) exposed[port] = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of deploy.publish) {
    const key = `${p.container}/${p.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: target.bind, HostPort: String(p.host) }];
  }
  return {
    Image: desired.image,
    Labels: {
      ...identityLabels(desired),
      ...versionLabels(desired, previous),
      [LABELS.owned]: canonicalJson(containerOwned(desired, target)),
      ...(wrapped ? { [LABELS.wrapped]: wrapper!.digest } : {}),
    },
    // A set Entrypoint drops the image's Cmd, so the whole command goes into the entrypoint.
    ...(wrapped ? { Entrypoint: wrapped, Cmd: [] } : {}),
    Env: envList({ ...deploy.env, ...(wrapped ? wrapper!.env : {}), ...extras?.env }),
    ExposedPorts: exposed,
    ...engineHealthcheck(deploy.health),
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: deploy.restart === "no" ? "" : deploy.restart },
      NetworkMode: target.network,
      ...(extras && extras.binds.length > 0 ? { Binds: [...extras.binds] } : {}),
      ...(deploy.resources?.memoryBytes !== undefined ? { Memory: deploy.resources.memoryBytes } : {}),
      ...(deploy.resources?.cpus !== undefined ? { NanoCpus: Math.round(deploy.resources.cpus * 1e9) } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [target.network]: { Aliases: [desired.name] } } },
  };
}
