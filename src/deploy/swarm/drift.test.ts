import { describe, expect, it } from "vitest";
import { desiredService } from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { SwarmTargetConfig } from "../../config/types.js";
import { formatDrift } from "../drift.js";
import { serviceDrift } from "./drift.js";
import { serviceSpec } from "./service-spec.js";
import type { SwarmService } from "./swarm-api.js";

const target: SwarmTargetConfig = {
  name: "swarm",
  kind: "swarm",
  host: undefined,
  network: "shop",
  update: { parallelism: 1, order: "start-first", monitorMs: 1000 },
  publish: "host",
};

/** The service as swarm returns it after dray created it: its spec is what dray posted. */
function deployed(): SwarmService {
  const desired = desiredService("api", {
    image: `reg.test/shop/api@${digest("m")}`,
    deploy: {
      replicas: 3,
      env: { LOG: "debug" },
      publish: [{ host: 18080, container: 8080, protocol: "tcp" }],
    },
  });
  const spec = serviceSpec(desired, target, { platform: "linux/amd64", publishMode: "host", forceUpdate: 0 });
  return { ID: "svc1", Version: { Index: 10 }, Spec: structuredClone(spec) as SwarmService["Spec"] };
}

describe("swarm serviceDrift", () => {
  it("finds none on the service as dray posted it", () => {
    expect(serviceDrift("api", deployed())).toEqual([]);
  });

  it("reads `docker service scale`, `--env-add`, `--image` and `--publish-add` as drift", () => {
    const service = deployed();
    service.Spec.Mode = { Replicated: { Replicas: 1 } };
    service.Spec.TaskTemplate!.ContainerSpec!.Env = ["LOG=debug", "FEATURE=on"];
    service.Spec.TaskTemplate!.ContainerSpec!.Image = `nginx:1@${digest("n")}`;
    service.Spec.EndpointSpec!.Ports!.push({
      Protocol: "tcp",
      TargetPort: 80,
      PublishedPort: 9000,
      PublishMode: "ingress",
    });
    expect(serviceDrift("api", service).map(formatDrift)).toEqual([
      `image reg.test/shop/api@${digest("m")} → nginx:1@${digest("n")}`,
      "replicas 3 → 1",
      'env FEATURE none → "on"',
      "ports 18080:8080/tcp (host) → 18080:8080/tcp (host), 9000:80/tcp (ingress)",
    ]);
  });

  it("finds none on a service deployed before dray recorded what it set", () => {
    const service = deployed();
    delete service.Spec.Labels!["dray.owned"];
    service.Spec.Mode = { Replicated: { Replicas: 1 } };
    expect(serviceDrift("api", service)).toEqual([]);
  });
});
