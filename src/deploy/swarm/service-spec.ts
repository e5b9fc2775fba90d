/**
 * The swarm service a dray service runs as: pure, from the desired service and the target.
 * https://docs.docker.com/engine/api/v1.41/#tag/Service/operation/ServiceCreate
 */
import type { DeploySettings, SwarmTargetConfig } from "../../config/index.js";
import { canonicalJson } from "../../oci/index.js";
import type { OwnedFields } from "../drift.js";
import { engineHealthcheck, envList, identityLabels, NS_PER_MS } from "../engine-spec.js";
import { type DesiredService, LABELS } from "../types.js";
import { type VersionRecord, versionLabels } from "../versions.js";

/**
 * How published ports reach the service. "ingress" is swarm's routing mesh (any node answers);
 * "host" binds the port on the node running the task, for engines whose kernel lacks IPVS.
 */
export type PublishMode = "ingress" | "host";

/** Swarm stack naming: `<project>_<service>`, as `docker stack deploy` names services. */
export function serviceName(project: string, service: string): string {
  return `${project}_${service}`;
}

const RESTART: Record<DeploySettings["restart"], "any" | "on-failure" | "none"> = {
  // Swarm has no "unless-stopped": a task is stopped only by changing the service, so "any" is the same.
  "unless-stopped": "any",
  always: "any",
  "on-failure": "on-failure",
  no: "none",
};

export function restartCondition(restart: DeploySettings["restart"]): "any" | "on-failure" | "none" {
  return RESTART[restart];
}

/** What the spec needs besides the desired service and the target. */
export interface ServiceSpecOptions {
  /** The platform every node is assumed to share with the manager ("linux/amd64"). */
  platform: string;
  publishMode: PublishMode;
  /** Bumped to make swarm replace tasks whose spec did not change (a service that is not running). */
  forceUpdate: number;
  /** The version this spec replaces, kept in a label on the service for `dray rollback`. */
  previous?: VersionRecord;
}

/** A published port as drift reports compare it: "18080:8080/tcp (host)". */
export function portText(published: number, target: number, protocol: string, mode: string): string {
  return `${published}:${target}/${protocol} (${mode})`;
}

/**
 * The fields of the service dray owns, as it sets them: recorded in a label on the service, so
 * that a change behind dray's back (`docker service scale`, `--env-add`, `--image`) can be read
 * off the swarm alone.
 */
export function serviceOwned(desired: DesiredService, publishMode: PublishMode): OwnedFields {
  const { deploy } = desired.spec;
  return {
    image: desired.image,
    replicas: deploy.replicas,
    env: { ...deploy.env },
    ports: deploy.publish.map((p) => portText(p.host, p.container, p.protocol, publishMode)),
    restart: restartCondition(deploy.restart),
  };
}

/** The body of `POST /services/create` and `POST /services/{id}/update`. */
export function serviceSpec(
  desired: DesiredService,
  target: SwarmTargetConfig,
  options: ServiceSpecOptions,
): Record<string, unknown> {
  const { deploy } = desired.spec;
  const labels = identityLabels(desired);
  const [os, architecture] = options.platform.split("/");
  const order = updateOrder(deploy, target, options.publishMode);
  const monitor = target.update.monitorMs * NS_PER_MS;
  return {
    Name: serviceName(desired.spec.project, desired.name),
    // The record of what dray set goes on the service only: its tasks are compared by identity.
    // So do the version records: on the tasks they would restart them when only the commit moved.
    Labels: {
      ...labels,
      ...versionLabels(desired, options.previous),
      [LABELS.owned]: canonicalJson(serviceOwned(desired, options.publishMode)),
    },
    TaskTemplate: {
      ContainerSpec: {
        Image: desired.image,
        // On the containers too, so that `docker ps` on any node shows what a task runs.
        Labels: labels,
        Env: envList(deploy.env),
        ...engineHealthcheck(deploy.health),
      },
      RestartPolicy: { Condition: restartCondition(deploy.restart), MaxAttempts: 0 },
      ...(deploy.resources
        ? {
            Resources: {
              Limits: {
                ...(deploy.resources.memoryBytes !== undefined
                  ? { MemoryBytes: deploy.resources.memoryBytes }
                  : {}),
                ...(deploy.resources.cpus !== undefined
                  ? { NanoCPUs: Math.round(deploy.resources.cpus * 1e9) }
                  : {}),
              },
            },
          }
        : {}),
      // The image is one platform's; keep its tasks off nodes of another.
      Placement: { Platforms: [{ OS: os, Architecture: architecture }] },
      Networks: [{ Target: target.network, Aliases: [desired.name] }],
      ForceUpdate: options.forceUpdate,
    },
    Mode: { Replicated: { Replicas: deploy.replicas } },
    UpdateConfig: {
      Parallelism: target.update.parallelism,
      Delay: 0,
      FailureAction: "rollback",
      Monitor: monitor,
      // One failed task is enough: a version that fails once is not rolled out further.
      MaxFailureRatio: 0,
      Order: order,
    },
    RollbackConfig: {
      Parallelism: target.update.parallelism,
      Delay: 0,
      // A rollback that fails too leaves the service for a person to look at.
      FailureAction: "pause",
      Monitor: monitor,
      MaxFailureRatio: 0,
      Order: order,
    },
    EndpointSpec: {
      Mode: "vip",
      Ports: deploy.publish.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.container,
        PublishedPort: p.host,
        PublishMode: options.publishMode,
      })),
    },
  };
}

/**
 * The target's update order, except that a port published in host mode cannot be bound by the
 * new task while the old one holds it on the same node: start-first would never start it.
 */
export function updateOrder(
  deploy: DeploySettings,
  target: SwarmTargetConfig,
  publishMode: PublishMode,
): "start-first" | "stop-first" {
  return publishMode === "host" && deploy.publish.length > 0 ? "stop-first" : target.update.order;
}
