import { describe, expect, it } from "vitest";
import { desiredService } from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { DeploySettings, SwarmTargetConfig } from "../../config/types.js";
import type { DesiredService } from "../types.js";
import { restartCondition, type ServiceSpecOptions, serviceName, serviceSpec } from "./service-spec.js";

const target: SwarmTargetConfig = {
  name: "prod",
  kind: "swarm",
  host: undefined,
  network: "shop",
  update: { parallelism: 2, order: "start-first", monitorMs: 5000 },
  publish: "ingress",
};

function desired(deploy: Partial<DeploySettings> = {}): DesiredService {
  return desiredService("api", {
    imageId: digest("a"),
    image: `registry.test/shop/api@${digest("m")}`,
    specDigest: digest("s"),
    settings: { ports: ["8080/tcp"] },
    deploy: { replicas: 2, ...deploy },
  });
}

const options: ServiceSpecOptions = { platform: "linux/amd64", publishMode: "ingress", forceUpdate: 0 };

// The spec is a plain JSON body: read its parts through the shape the Engine API documents.
type Spec = {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels: Record<string, string>;
      Env: string[];
      Healthcheck?: { Test: string[]; Interval: number; Timeout: number; Retries: number };
    };
    RestartPolicy: { Condition: string };
    Placement: { Platforms: { OS: string; Architecture: string }[] };
    Networks: { Target: string; Aliases: string[] }[];
    ForceUpdate: number;
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig: Record<string, unknown>;
  RollbackConfig: Record<string, unknown>;
  EndpointSpec: { Ports: Record<string, unknown>[] };
};
const build = (d: DesiredService, o: Partial<ServiceSpecOptions> = {}) =>
  serviceSpec(d, target, { ...options, ...o }) as unknown as Spec;

describe("swarm serviceSpec", () => {
  it("names the service <project>_<service> and labels both the service and its containers with the identity", () => {
    const spec = build(desired());
    const labels = {
      "dray.project": "shop",
      "dray.service": "api",
      "dray.image-id": digest("a"),
      "dray.spec-digest": digest("s"),
    };
    expect(spec.Name).toBe(serviceName("shop", "api"));
    expect(spec.Name).toBe("shop_api");
    expect(spec.Labels).toEqual({
      ...labels,
      "dray.owned": expect.any(String),
      "dray.spec": expect.any(String),
    });
    expect(spec.TaskTemplate.ContainerSpec.Labels).toEqual(labels);
  });

  it("records on the service what dray set (image, replicas, env, ports, restart) for drift to be read against", () => {
    const spec = build(
      desired({
        env: { LOG: "debug" },
        replicas: 3,
        publish: [{ host: 18080, container: 8080, protocol: "tcp" }],
      }),
    );
    expect(JSON.parse(spec.Labels["dray.owned"]!)).toEqual({
      image: `registry.test/shop/api@${digest("m")}`,
      replicas: 3,
      env: { LOG: "debug" },
      ports: ["18080:8080/tcp (ingress)"],
      restart: "any",
    });
  });

  it("runs the image by its digest reference with the deploy env, replicas, network alias and platform", () => {
    const spec = build(desired({ env: { LOG: "debug", PORT: "8080" }, replicas: 3 }));
    expect(spec.TaskTemplate.ContainerSpec.Image).toBe(`registry.test/shop/api@${digest("m")}`);
    expect(spec.TaskTemplate.ContainerSpec.Env).toEqual(["LOG=debug", "PORT=8080"]);
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: "shop", Aliases: ["api"] }]);
    expect(spec.TaskTemplate.Placement.Platforms).toEqual([{ OS: "linux", Architecture: "amd64" }]);
  });

  it("rolls back a failed update: the target's parallelism, order and monitor (in ns), no failure tolerated", () => {
    const spec = build(desired());
    expect(spec.UpdateConfig).toEqual({
      Parallelism: 2,
      Delay: 0,
      FailureAction: "rollback",
      Monitor: 5_000_000_000,
      MaxFailureRatio: 0,
      Order: "start-first",
    });
    expect(spec.RollbackConfig).toMatchObject({
      Parallelism: 2,
      FailureAction: "pause",
      Monitor: 5_000_000_000,
    });
  });

  it("publishes ports in ingress mode by default, each protocol as written", () => {
    const publish = [
      { container: 8080, host: 18080, protocol: "tcp" as const },
      { container: 53, host: 1053, protocol: "udp" as const },
    ];
    const spec = build(desired({ publish }));
    expect(spec.EndpointSpec.Ports).toEqual([
      { Protocol: "tcp", TargetPort: 8080, PublishedPort: 18080, PublishMode: "ingress" },
      { Protocol: "udp", TargetPort: 53, PublishedPort: 1053, PublishMode: "ingress" },
    ]);
    expect(spec.UpdateConfig.Order).toBe("start-first");
  });

  it("updates stop-first when a port is published in host mode, since old and new task cannot share it", () => {
    const publish = [{ container: 8080, host: 18080, protocol: "tcp" as const }];
    const spec = build(desired({ publish }), { publishMode: "host" });
    expect(spec.EndpointSpec.Ports[0]).toMatchObject({ PublishMode: "host" });
    expect(spec.UpdateConfig.Order).toBe("stop-first");
    expect(spec.RollbackConfig.Order).toBe("stop-first");
    expect(build(desired(), { publishMode: "host" }).UpdateConfig.Order).toBe("start-first");
  });

  it("turns the health command into a Docker healthcheck with nanosecond durations", () => {
    const health = { http: undefined, command: ["/app", "health"], intervalMs: 2000, timeoutMs: 30_000 };
    const spec = build(desired({ health }));
    expect(spec.TaskTemplate.ContainerSpec.Healthcheck).toEqual({
      Test: ["CMD", "/app", "health"],
      Interval: 2_000_000_000,
      Timeout: 2_000_000_000,
      Retries: 3,
      StartPeriod: 0,
    });
  });

  it("sets no healthcheck for an HTTP-only health setting (dray probes that itself)", () => {
    const health = {
      http: { path: "/healthz", port: 8080 },
      command: undefined,
      intervalMs: 1000,
      timeoutMs: 60_000,
    };
    expect(build(desired({ health })).TaskTemplate.ContainerSpec.Healthcheck).toBeUndefined();
  });

  it("carries the force-update counter that makes swarm replace tasks of an unchanged spec", () => {
    expect(build(desired(), { forceUpdate: 4 }).TaskTemplate.ForceUpdate).toBe(4);
  });

  it.each([
    ["unless-stopped", "any"],
    ["always", "any"],
    ["on-failure", "on-failure"],
    ["no", "none"],
  ] as const)("maps restart %s to swarm's condition %s", (restart, condition) => {
    expect(restartCondition(restart)).toBe(condition);
    expect(build(desired({ restart })).TaskTemplate.RestartPolicy.Condition).toBe(condition);
  });
});
