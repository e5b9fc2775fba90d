/**
 * Resource limits (`deploy.resources`, also per target): what each kind of target sets, and that a
 * service without them gets exactly the body it got before.
 */
import { describe, expect, it } from "vitest";
import { problemsOfLines, resolveLines } from "../../test/support/config-lines.js";
import { desiredService, kubernetesTarget } from "../../test/support/deploy-fixtures.js";
import type { DeploySettings, DockerTargetConfig, SwarmTargetConfig } from "../config/types.js";
import { containerSpec } from "./docker/container-spec.js";
import { renderService } from "./kubernetes/generate-objects.js";
import { serviceSpec } from "./swarm/service-spec.js";

const docker: DockerTargetConfig = {
  name: "local",
  kind: "docker",
  host: undefined,
  network: "shop",
  bind: "127.0.0.1",
};
const swarm: SwarmTargetConfig = {
  name: "swarm",
  kind: "swarm",
  host: undefined,
  network: "shop",
  update: { parallelism: 1, order: "start-first", monitorMs: 5000 },
  publish: "ingress",
};
const limited = { resources: { memoryBytes: 64 * 2 ** 20, cpus: 0.5 } } satisfies Partial<DeploySettings>;
const withImage = (deploy: Partial<DeploySettings>) =>
  desiredService("api", { settings: { entrypoint: ["/app/api"] }, deploy });

describe("resource limits", () => {
  it("resolve from binary units and bytes, and a target's override replaces the service's", () => {
    const config = resolveLines([
      "project: shop",
      "targets:",
      "  small: { type: docker }",
      "  big: { type: docker, services: { api: { resources: { memory: 1.5Gi } } } }",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    deploy: { resources: { memory: 256Mi, cpus: 0.25 } }",
      "  orders:",
      "    go: ./services/orders",
      "    deploy: { resources: { memory: 1000 } }",
    ]);
    expect(config.services.map((s) => s.deploy.resources)).toEqual([
      { memoryBytes: 256 * 2 ** 20, cpus: 0.25 },
      { memoryBytes: 1000 },
    ]);
    // Maps merge: the target's memory over the service's, its cpus kept.
    expect(config.targets[1]!.services?.["api"]?.resources).toEqual({
      memoryBytes: 1.5 * 2 ** 30,
      cpus: 0.25,
    });
    expect(config.services[0]!.deploy).not.toHaveProperty("resources", undefined);
  });

  it("name a memory size dray cannot read, with the forms it can", () => {
    expect(
      problemsOfLines([
        "project: shop",
        "services:",
        "  api:",
        "    go: ./services/api",
        "    deploy: { resources: { memory: 512m } }",
      ]),
    ).toEqual([
      'dray.yaml:5:36  services.api.deploy.resources.memory: "512m" is not a memory size — write e.g. "256Mi", "1Gi" or a number of bytes',
    ]);
  });

  it("docker: the container's memory and CPU limits; none when unset", () => {
    const spec = containerSpec(withImage(limited), docker) as { HostConfig: Record<string, unknown> };
    expect([spec.HostConfig["Memory"], spec.HostConfig["NanoCpus"]]).toEqual([64 * 2 ** 20, 500_000_000]);
    const plain = containerSpec(withImage({}), docker) as { HostConfig: Record<string, unknown> };
    expect(Object.keys(plain.HostConfig)).toEqual(["PortBindings", "RestartPolicy", "NetworkMode"]);
  });

  it("swarm: the task's limits; none when unset", () => {
    const options = { platform: "linux/amd64", publishMode: "ingress", forceUpdate: 0 } as const;
    const spec = serviceSpec(withImage(limited), swarm, options) as { TaskTemplate: Record<string, unknown> };
    expect(spec.TaskTemplate["Resources"]).toEqual({
      Limits: { MemoryBytes: 64 * 2 ** 20, NanoCPUs: 500_000_000 },
    });
    const plain = serviceSpec(withImage({}), swarm, options) as { TaskTemplate: Record<string, unknown> };
    expect(plain.TaskTemplate).not.toHaveProperty("Resources");
  });

  it("kubernetes: requests and limits both set to them", () => {
    const objects = renderService("shop", kubernetesTarget({ podSecurity: "none" }), withImage(limited));
    const spec = objects[0]!["spec"] as { template: { spec: { containers: Record<string, unknown>[] } } };
    const quantities = { memory: String(64 * 2 ** 20), cpu: "500m" };
    expect(spec.template.spec.containers[0]!["resources"]).toEqual({
      requests: quantities,
      limits: quantities,
    });
  });
});
