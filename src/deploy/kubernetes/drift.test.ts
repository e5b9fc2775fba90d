import { describe, expect, it } from "vitest";
import { formatDrift } from "../drift.js";
import { asDrift, deploymentDrift, type FieldDrift, objectDrift } from "./drift.js";
import type { KubeObject } from "./objects.js";

/** What dray applied: 3 replicas of one container with env V=1 and port 8080. */
const applied: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "api", namespace: "shop" },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: "api",
            image: "reg/api@sha256:1",
            env: [{ name: "V", value: "1" }],
            ports: [{ containerPort: 8080, protocol: "TCP" }],
            resources: { limits: { cpu: "1" } },
          },
        ],
      },
    },
  },
};

/** dray's Apply entry for `applied`, as the server records it (without the fields listed in `lost`). */
function draysFields(lost: { replicas?: boolean; env?: boolean } = {}) {
  const container: Record<string, unknown> = {
    ".": {},
    "f:name": {},
    "f:image": {},
    "f:ports": {
      'k:{"containerPort":8080,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:protocol": {} },
    },
    "f:resources": { "f:limits": { "f:cpu": {} } },
  };
  if (!lost.env) container["f:env"] = { 'k:{"name":"V"}': { ".": {}, "f:name": {}, "f:value": {} } };
  return {
    manager: "dray",
    operation: "Apply",
    time: "2024-05-01T10:00:00Z",
    fieldsV1: {
      "f:spec": {
        ...(lost.replicas ? {} : { "f:replicas": {} }),
        "f:template": { "f:spec": { "f:containers": { 'k:{"name":"api"}': container } } },
      },
    },
  };
}

/** The part of the Deployment's spec the cases change. */
interface Spec {
  replicas: number;
  template: {
    spec: {
      containers: { env: { name: string; value: string }[]; resources: { limits: { cpu: string } } }[];
    };
  };
}

function live(change: (spec: Spec) => void, managedFields: unknown[]): KubeObject {
  const object = structuredClone(applied) as KubeObject;
  change(object["spec"] as Spec);
  object.metadata["managedFields"] = managedFields;
  return object;
}

describe("objectDrift", () => {
  const cases: { description: string; object: KubeObject; drift: string[] }[] = [
    {
      description: "nothing changed",
      object: live(() => {}, [draysFields()]),
      drift: [],
    },
    {
      description: "kubectl scale took spec.replicas",
      object: live(
        (spec) => {
          spec.replicas = 1;
        },
        [
          draysFields({ replicas: true }),
          {
            manager: "kubectl",
            operation: "Update",
            subresource: "scale",
            time: "2024-05-01T11:00:00Z",
            fieldsV1: { "f:spec": { "f:replicas": {} } },
          },
        ],
      ),
      drift: ["replicas 3 → 1 (changed by kubectl)"],
    },
    {
      description: "kubectl set env changed a variable dray set",
      object: live(
        (spec) => {
          spec.template.spec.containers[0]!.env[0]!.value = "2";
        },
        [
          draysFields({ env: true }),
          {
            manager: "kubectl-set",
            operation: "Update",
            time: "2024-05-01T11:00:00Z",
            fieldsV1: {
              "f:spec": {
                "f:template": {
                  "f:spec": {
                    "f:containers": {
                      'k:{"name":"api"}': { "f:env": { 'k:{"name":"V"}': { "f:value": {} } } },
                    },
                  },
                },
              },
            },
          },
        ],
      ),
      drift: ["containers[api].env[V] 1 → 2 (changed by kubectl-set)"],
    },
    {
      description: "the server's own spelling of a value dray still owns is not drift",
      object: live(
        (spec) => {
          spec.template.spec.containers[0]!.resources.limits.cpu = "1000m";
        },
        [draysFields()],
      ),
      drift: [],
    },
    {
      description: "without managed fields every difference counts",
      object: live((spec) => {
        spec.template.spec.containers[0]!.env = [];
      }, []),
      drift: ['containers[api].env[V] {"name":"V","value":"1"} → none'],
    },
  ];
  it.each(cases)("$description", ({ object, drift }) => {
    expect(objectDrift(object, applied, "dray").map((d) => formatDrift(asDrift("api", d)))).toEqual(drift);
  });
});

describe("deploymentDrift", () => {
  it("compares a Deployment with the record of what dray applied for it", () => {
    const object = live(
      (spec) => {
        spec.replicas = 5;
      },
      [
        draysFields({ replicas: true }),
        { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      ],
    );
    object.metadata.annotations = {
      "dray.dev/applied": JSON.stringify([
        applied,
        { apiVersion: "v1", kind: "Service", metadata: { name: "api" } },
      ]),
    };
    expect(deploymentDrift(object, "dray").map((d) => formatDrift(asDrift("api", d)))).toEqual([
      "replicas 3 → 5 (changed by kubectl-edit)",
    ]);
    delete object.metadata.annotations;
    expect(deploymentDrift(object, "dray")).toEqual([]);
  });
});

describe("asDrift", () => {
  const field = (over: Partial<FieldDrift>): FieldDrift => ({
    field: "replicas",
    applied: 3,
    live: 1,
    changedBy: "kubectl",
    ...over,
  });

  it("is the Drift every target reports: the service, the field, both values as text, who changed it", () => {
    expect(asDrift("api", field({}))).toEqual({
      service: "api",
      field: "replicas",
      deployed: "3",
      live: "1",
      by: "kubectl",
    });
    expect(asDrift("api", field({ live: undefined, changedBy: undefined }))).toEqual({
      service: "api",
      field: "replicas",
      deployed: "3",
      live: "none",
    });
  });

  it("hides the values of an env variable named like a credential, but still says it changed", () => {
    const secret = asDrift(
      "api",
      field({ field: "containers[api].env[API_TOKEN]", applied: "a", live: "b" }),
    );
    expect(formatDrift(secret)).toBe(
      "containers[api].env[API_TOKEN] (hidden) → (hidden) (changed by kubectl)",
    );
    const plain = asDrift("api", field({ field: "containers[api].env[V]", applied: "1", live: "hand" }));
    expect(formatDrift(plain)).toBe("containers[api].env[V] 1 → hand (changed by kubectl)");
  });
});
