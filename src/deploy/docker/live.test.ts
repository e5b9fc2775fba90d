import { describe, expect, it } from "vitest";
import { desiredService } from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { DockerTargetConfig } from "../../config/types.js";
import { formatDrift } from "../drift.js";
import { containerSpec } from "./container-spec.js";
import { containerDrift, type InspectedContainer } from "./live.js";

const target: DockerTargetConfig = {
  name: "local",
  kind: "docker",
  host: undefined,
  network: "shop",
  bind: "127.0.0.1",
};

/** The container as the engine reports it after dray created and started it from its spec. */
function inspected(): InspectedContainer {
  const desired = desiredService("api", {
    image: digest("a"),
    deploy: { env: { LOG: "debug" }, publish: [{ host: 18080, container: 8080, protocol: "tcp" }] },
  });
  const spec = containerSpec(desired, target) as {
    Image: string;
    Env: string[];
    Labels: Record<string, string>;
    HostConfig: {
      PortBindings: InspectedContainer["HostConfig"]["PortBindings"];
      RestartPolicy: { Name: string };
    };
  };
  return {
    Id: "c1",
    Name: "/shop-api",
    State: { Status: "running", Running: true, ExitCode: 0 },
    // The engine adds the image's own environment to the container's.
    Config: { Image: spec.Image, Env: ["PATH=/usr/bin", "PORT=8080", ...spec.Env], Labels: spec.Labels },
    HostConfig: { PortBindings: spec.HostConfig.PortBindings, RestartPolicy: spec.HostConfig.RestartPolicy },
    NetworkSettings: { Networks: { shop: {} } },
  };
}

describe("docker containerDrift", () => {
  it("finds none on the container as dray created it, whatever the image adds to its environment", () => {
    expect(containerDrift("api", inspected())).toEqual([]);
  });

  it("reads a stopped container as a state drift, with its exit code", () => {
    const c = inspected();
    c.State = { Status: "exited", Running: false, ExitCode: 137 };
    expect(containerDrift("api", c).map(formatDrift)).toEqual(["state running → exited (code 137)"]);
  });

  it("reads `docker update --restart`, a network disconnect and a copy with another image as drift", () => {
    const c = inspected();
    c.HostConfig.RestartPolicy = { Name: "" };
    c.NetworkSettings = { Networks: {} };
    c.Config.Image = "nginx:1";
    c.Config.Env = ["LOG=info"];
    expect(containerDrift("api", c).map(formatDrift)).toEqual([
      `image ${digest("a")} → nginx:1`,
      'env LOG "debug" → "info"',
      "restart unless-stopped → no",
      "networks shop → none",
    ]);
  });

  it("is not drift when the engine names the image dray gave by ID otherwise (Podman), and says it is that image", () => {
    const c = inspected();
    c.Config.Image = "localhost/shop/api:0af1d172d237";
    expect(containerDrift("api", c, true)).toEqual([]);
    expect(containerDrift("api", c, false).map((d) => d.field)).toEqual(["image"]);
  });

  it("is not drift while the engine restarts the container by its restart policy", () => {
    const c = inspected();
    c.State = { Status: "restarting", Running: true, ExitCode: 2 };
    expect(containerDrift("api", c)).toEqual([]);
  });
});
