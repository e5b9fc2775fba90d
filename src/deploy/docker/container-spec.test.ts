import { describe, expect, it } from "vitest";
import { desiredService } from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { DockerTargetConfig } from "../../config/types.js";
import type { DesiredService } from "../types.js";
import { containerSpec, wrappedCommand } from "./container-spec.js";

const target: DockerTargetConfig = {
  name: "local",
  kind: "docker",
  host: undefined,
  network: "shop",
  bind: "127.0.0.1",
};
const desired = (entrypoint: string[] | undefined): DesiredService =>
  desiredService("api", {
    imageId: digest("a"),
    image: digest("a"),
    specDigest: digest("b"),
    settings: { entrypoint, args: ["--flag"], ports: ["8080/tcp"] },
    deploy: {
      publish: [{ host: 18080, container: 8080, protocol: "tcp" }],
      health: { http: undefined, command: ["/app/api", "healthcheck"], intervalMs: 500, timeoutMs: 10_000 },
      env: { LOG: "debug" },
    },
  });

/** The parts of the engine's container body these tests read. */
interface Spec {
  Labels: Record<string, string>;
  Env: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Healthcheck?: Record<string, unknown>;
  HostConfig: { PortBindings: unknown; RestartPolicy: unknown };
  NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}
const wrapper = {
  path: "/.dray/dray-supervise",
  binary: Buffer.from("x"),
  digest: "c".repeat(64),
  env: { DRAY_SUPERVISE_TOKEN: "t" },
};

describe("container spec", () => {
  it("labels the identity, publishes on the bind address, joins the network under the service's name", () => {
    const spec = containerSpec(desired(["/app/api"]), target) as unknown as Spec;
    expect(spec.Labels).toEqual({
      "dray.project": "shop",
      "dray.service": "api",
      "dray.image-id": `sha256:${"a".repeat(64)}`,
      "dray.spec-digest": `sha256:${"b".repeat(64)}`,
      "dray.owned": expect.any(String),
      "dray.spec": expect.any(String),
    });
    expect(spec.HostConfig.PortBindings).toEqual({
      "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "18080" }],
    });
    expect(spec.HostConfig.RestartPolicy).toEqual({ Name: "unless-stopped" });
    expect(spec.NetworkingConfig.EndpointsConfig["shop"]!.Aliases).toEqual(["api"]);
    expect(spec.Env).toEqual(["LOG=debug"]);
    expect(spec.Healthcheck).toMatchObject({
      Test: ["CMD", "/app/api", "healthcheck"],
      Interval: 500_000_000,
    });
    expect(spec.Entrypoint).toBeUndefined();
  });

  it("records what dray set (image, env, ports on the bind address, restart, network), without the wrapper's env", () => {
    const spec = containerSpec(desired(["/app/api"]), target, wrapper) as unknown as Spec;
    expect(JSON.parse(spec.Labels["dray.owned"]!)).toEqual({
      image: `sha256:${"a".repeat(64)}`,
      env: { LOG: "debug" },
      ports: ["127.0.0.1:18080:8080/tcp"],
      restart: "unless-stopped",
      networks: ["shop"],
    });
  });

  it("puts the wrapper in front of the whole command, and marks the container", () => {
    const spec = containerSpec(desired(["/app/api"]), target, wrapper) as unknown as Spec;
    expect(spec.Entrypoint).toEqual(["/.dray/dray-supervise", "/app/api", "--flag"]);
    expect(spec.Cmd).toEqual([]);
    expect(spec.Labels["dray.wrapped"]).toBe("c".repeat(64));
    expect(spec.Env).toEqual(["LOG=debug", "DRAY_SUPERVISE_TOKEN=t"]);
  });

  it("binds what the wrapper asks for one service, and adds its environment", () => {
    const withExtras = {
      ...wrapper,
      forService: (d: DesiredService) => ({
        binds: [`/project/.dray/dev/live/${d.name}:/.dray/live:ro`],
        env: { DRAY_SUPERVISE_LIVE: "/.dray/live/x" },
      }),
    };
    const spec = containerSpec(desired(["/app/api"]), target, withExtras) as unknown as Spec & {
      HostConfig: { Binds?: string[] };
    };
    expect(spec.HostConfig.Binds).toEqual(["/project/.dray/dev/live/api:/.dray/live:ro"]);
    expect(spec.Env).toEqual(["LOG=debug", "DRAY_SUPERVISE_TOKEN=t", "DRAY_SUPERVISE_LIVE=/.dray/live/x"]);
    // Without the wrapper's extras, nothing of the host is bound.
    const plain = containerSpec(desired(["/app/api"]), target, wrapper) as unknown as { HostConfig: object };
    expect(plain.HostConfig).not.toHaveProperty("Binds");
    const unwrapped = containerSpec(desired(undefined), target, withExtras) as unknown as {
      HostConfig: object;
    };
    expect(unwrapped.HostConfig).not.toHaveProperty("Binds");
  });

  it("does not wrap a service whose command comes from its base image (dray does not know it)", () => {
    expect(wrappedCommand(desired(undefined), wrapper)).toBeUndefined();
    const spec = containerSpec(desired(undefined), target, wrapper) as unknown as Spec;
    expect(spec.Entrypoint).toBeUndefined();
    expect(spec.Labels["dray.wrapped"]).toBeUndefined();
  });
});
