import { Deployment } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import {
  type DesiredOverrides,
  desiredService,
  kubernetesTarget,
} from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { HealthCheck } from "../../config/types.js";
import { UserError } from "../../errors/errors.js";
import type { DesiredService } from "../types.js";
import { renderService, renderServices } from "./generate-objects.js";
import type { KubeObject } from "./objects.js";
import { renderManifests } from "./render-manifests.js";

const config = kubernetesTarget({ podSecurity: "none" });

/** `image` here is the image's settings (entrypoint, env, ports…). */
function desired(
  name: string,
  overrides: { image?: DesiredOverrides["settings"]; deploy?: DesiredOverrides["deploy"] } = {},
): DesiredService {
  return desiredService(name, {
    image: `127.0.0.1:5000/shop/${name}@${digest("2")}`,
    settings: overrides.image,
    deploy: { replicas: 2, restart: "always", ...overrides.deploy },
  });
}

const health = (h: Partial<HealthCheck>): HealthCheck => ({
  http: undefined,
  command: undefined,
  intervalMs: 2500,
  timeoutMs: 30_000,
  ...h,
});

/** The first container of a rendered Deployment. */
function container(objects: KubeObject[]): Record<string, unknown> {
  const spec = objects[0]!["spec"] as { template: { spec: { containers: Record<string, unknown>[] } } };
  return spec.template.spec.containers[0]!;
}

describe("renderService", () => {
  it("renders the same objects for the same input", () => {
    const services = [desired("web", { image: { ports: ["80/tcp"] } }), desired("api")];
    expect(renderManifests(renderServices("shop", config, services).flatMap((s) => s.objects))).toBe(
      renderManifests(renderServices("shop", config, [...services].reverse()).flatMap((s) => s.objects)),
    );
  });

  it("labels and annotates the Deployment with the service's identity, not its pod template", () => {
    const [deployment] = renderService("shop", config, desired("api"));
    expect(deployment!.metadata).toEqual({
      name: "api",
      namespace: "shop",
      labels: {
        "app.kubernetes.io/name": "api",
        "app.kubernetes.io/part-of": "shop",
        "app.kubernetes.io/managed-by": "dray",
        "dray.dev/project": "shop",
        "dray.dev/service": "api",
      },
      annotations: {
        "dray.dev/image-id": `sha256:${"1".repeat(64)}`,
        "dray.dev/spec-digest": `sha256:${"3".repeat(64)}`,
      },
    });
    const spec = deployment!["spec"] as Record<string, unknown> & {
      template: { metadata: Record<string, unknown> };
    };
    expect(spec["replicas"]).toBe(2);
    expect(spec["progressDeadlineSeconds"]).toBe(120);
    expect(spec["selector"]).toEqual({
      matchLabels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "shop" },
    });
    expect(spec["template"].metadata.annotations).toBeUndefined();
  });

  it("runs the image by digest and leaves command and args to the image unless set", () => {
    const plain = container(renderService("shop", config, desired("api")));
    expect(plain).toEqual({ name: "api", image: `127.0.0.1:5000/shop/api@sha256:${"2".repeat(64)}` });
    const set = container(
      renderService("shop", config, desired("api", { image: { entrypoint: ["/app/api"], args: ["serve"] } })),
    );
    expect(set["command"]).toEqual(["/app/api"]);
    expect(set["args"]).toEqual(["serve"]);
  });

  it("merges image and deploy env, deploy winning, sorted by name", () => {
    const c = container(
      renderService(
        "shop",
        config,
        desired("api", { image: { env: { B: "image", A: "image" } }, deploy: { env: { B: "deploy" } } }),
      ),
    );
    expect(c["env"]).toEqual([
      { name: "A", value: "image" },
      { name: "B", value: "deploy" },
    ]);
  });

  const probes: { description: string; health: HealthCheck | undefined; probe: unknown }[] = [
    { description: "no health check: no probe", health: undefined, probe: undefined },
    {
      description: "http check: httpGet probe",
      health: health({ http: { path: "/healthz", port: 8080 } }),
      probe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 3 },
    },
    {
      description: "command check: exec probe",
      health: health({ command: ["/app/api", "health"], intervalMs: 500 }),
      probe: { exec: { command: ["/app/api", "health"] }, periodSeconds: 1 },
    },
  ];
  it.each(probes)("readiness probe: $description", ({ health: h, probe }) => {
    expect(
      container(renderService("shop", config, desired("api", { deploy: { health: h } })))["readinessProbe"],
    ).toEqual(probe);
  });

  const users: { user: string | undefined; context: unknown }[] = [
    { user: "65532:65532", context: { runAsUser: 65532, runAsGroup: 65532 } },
    { user: "1000", context: { runAsUser: 1000 } },
    { user: "nobody", context: undefined },
    { user: undefined, context: undefined },
  ];
  it.each(users)("user $user gives securityContext $context", ({ user, context }) => {
    expect(
      container(renderService("shop", config, desired("api", { image: { user } })))["securityContext"],
    ).toEqual(context);
  });

  const restricted: { user: string | undefined; imageUser?: string; context: unknown }[] = [
    {
      user: "65532:65532",
      context: {
        runAsUser: 65532,
        runAsGroup: 65532,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
    },
    // The image config's user (a base image's nonroot) when dray.yaml sets none.
    {
      user: undefined,
      imageUser: "65532",
      context: {
        runAsUser: 65532,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
    },
    // Root, or a name the kubelet cannot check: the image does not allow `restricted`.
    { user: "0", context: { runAsUser: 0 } },
    { user: "nobody", context: undefined },
  ];
  it.each(
    restricted,
  )("podSecurity restricted: user $user (image $imageUser) gives securityContext $context", ({
    user,
    imageUser,
    context,
  }) => {
    const service = { ...desired("api", { image: { user } }), ...(imageUser ? { user: imageUser } : {}) };
    const restrictedConfig = { ...config, podSecurity: "restricted" as const };
    expect(container(renderService("shop", restrictedConfig, service))["securityContext"]).toEqual(context);
  });

  it("adds a ClusterIP Service only when the service has ports", () => {
    expect(renderService("shop", config, desired("worker")).map((o) => o.kind)).toEqual(["Deployment"]);
    const objects = renderService(
      "shop",
      config,
      desired("api", { image: { ports: ["8080/tcp", "53/udp"] } }),
    );
    expect(objects.map((o) => o.kind)).toEqual(["Deployment", "Service"]);
    expect(objects[1]!["spec"]).toEqual({
      type: "ClusterIP",
      selector: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "shop" },
      ports: [
        { name: "tcp-8080", port: 8080, targetPort: 8080, protocol: "TCP" },
        { name: "udp-53", port: 53, targetPort: 53, protocol: "UDP" },
      ],
    });
    expect(container(objects)["ports"]).toEqual([
      { name: "tcp-8080", containerPort: 8080, protocol: "TCP" },
      { name: "udp-53", containerPort: 53, protocol: "UDP" },
    ]);
  });

  it("refuses a service name Kubernetes cannot use", () => {
    expect(() => renderService("shop", config, desired("Api_1"))).toThrow(UserError);
  });

  it("renders objects that validate against the Kubernetes OpenAPI schema", () => {
    const full = desired("api", {
      image: {
        entrypoint: ["/app/api"],
        args: ["serve"],
        env: { A: "1" },
        ports: ["8080/tcp"],
        user: "65532:65532",
      },
      deploy: { env: { B: "2" }, health: health({ http: { path: "/healthz", port: 8080 } }) },
    });
    const objects = [
      ...renderService("shop", config, full),
      ...renderService(
        "shop",
        config,
        desired("worker", { deploy: { health: health({ command: ["true"] }) } }),
      ),
    ];
    for (const object of objects) {
      const model =
        object.kind === "Service" ? new Service(object as never) : new Deployment(object as never);
      expect(() => model.validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Deployment/api",
      "Service/api",
      "Deployment/worker",
    ]);
  });
});
