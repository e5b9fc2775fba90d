/** What was changed on a swarm service behind dray's back: its spec against the record dray labelled it with. Pure. */
import { compareOwned, type Drift, type OwnedFields, parseOwned } from "../drift.js";
import { parseEnvList } from "../engine-spec.js";
import { LABELS } from "../types.js";
import { portText } from "./service-spec.js";
import type { SwarmService } from "./swarm-api.js";

/** The fields dray sets on a service, as the service's spec has them now. */
export function liveServiceOwned(service: SwarmService): OwnedFields {
  const { TaskTemplate: template, Mode: mode, EndpointSpec: endpoint } = service.Spec;
  const replicas = mode?.Replicated ? (mode.Replicated.Replicas ?? 1) : undefined;
  return {
    ...(template?.ContainerSpec?.Image !== undefined ? { image: template.ContainerSpec.Image } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    env: parseEnvList(template?.ContainerSpec?.Env),
    ports: (endpoint?.Ports ?? []).map((p) =>
      portText(p.PublishedPort ?? 0, p.TargetPort ?? 0, p.Protocol ?? "tcp", p.PublishMode ?? "ingress"),
    ),
    restart: template?.RestartPolicy?.Condition ?? "any",
  };
}

/** The service's drift; none for a service deployed before dray recorded what it set. */
export function serviceDrift(name: string, service: SwarmService): Drift[] {
  const recorded = parseOwned(service.Spec.Labels?.[LABELS.owned]);
  return recorded ? compareOwned(name, recorded, liveServiceOwned(service)) : [];
}
