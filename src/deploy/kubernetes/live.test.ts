import { describe, expect, it } from "vitest";
import { liveServices } from "./live.js";
import type { LiveDeployment } from "./objects.js";

const A = `sha256:${"a".repeat(64)}` as const;
const B = `sha256:${"b".repeat(64)}` as const;

function deployment(
  name: string,
  service: string | undefined,
  imageId: string,
  available: number,
): LiveDeployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      labels: service ? { "dray.dev/service": service } : {},
      annotations: { "dray.dev/image-id": imageId, "dray.dev/spec-digest": B },
    },
    spec: { replicas: 2 },
    status: { availableReplicas: available },
  };
}

describe("liveServices", () => {
  it("reads identity from annotations and running from available replicas", () => {
    const live = liveServices([
      deployment("api", "api", A, 2),
      deployment("web", "web", A, 1),
      deployment("x", undefined, A, 2),
    ]);
    expect([...live.keys()]).toEqual(["api", "web"]);
    expect(live.get("api")).toEqual({
      name: "api",
      imageId: A,
      specDigest: B,
      ids: ["deployment/api"],
      running: true,
    });
    expect(live.get("web")!.running).toBe(false);
  });

  it("a service spread over Deployments that disagree has no single identity", () => {
    const live = liveServices([deployment("api", "api", A, 2), deployment("api-worker", "api", B, 2)]);
    expect(live.get("api")).toEqual({
      name: "api",
      imageId: undefined,
      specDigest: B,
      ids: ["deployment/api", "deployment/api-worker"],
      running: true,
    });
  });
});
