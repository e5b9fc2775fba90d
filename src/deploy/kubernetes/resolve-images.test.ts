import { describe, expect, it } from "vitest";
import { desiredService } from "../../../test/support/deploy-fixtures.js";
import { UserError } from "../../errors/errors.js";
import type { DesiredService } from "../types.js";
import type { KubeObject } from "./objects.js";
import { parseManifests } from "./read-manifests.js";
import { resolveManifests, serviceOfImage } from "./resolve-images.js";

function desired(name: string): DesiredService {
  return desiredService(name, { deploy: { restart: "always" } });
}

const MANIFESTS = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {team: core}}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      initContainers: [{name: migrate, image: "dray://api"}]
      containers:
        - {name: api, image: "api:dev"}
        - {name: proxy, image: "docker.io/library/nginx:1.27"}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: report, image: worker}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {image: "dray://api"}
`;

const images = (object: KubeObject): string[] => JSON.stringify(object).match(/"image":"[^"]+"/g) ?? [];

describe("resolveManifests", () => {
  const services = new Map([
    ["api", desired("api")],
    ["worker", desired("worker")],
  ]);

  it("rewrites dray://, bare and tagged service images to the built image, leaving real references", () => {
    const resolved = resolveManifests("shop", parseManifests(MANIFESTS, "k8s/all.yaml"), services);
    const [deployment, cronJob, configMap] = resolved.objects;
    expect(images(deployment!)).toEqual([
      `"image":"reg.test/shop/api@sha256:${"2".repeat(64)}"`,
      `"image":"reg.test/shop/api@sha256:${"2".repeat(64)}"`,
      `"image":"docker.io/library/nginx:1.27"`,
    ]);
    expect(images(cronJob!)).toEqual([`"image":"reg.test/shop/worker@sha256:${"2".repeat(64)}"`]);
    // Only container images are references: data that happens to look like one is left alone.
    expect(configMap!["data"]).toEqual({ image: "dray://api" });
  });

  it("marks Deployments running a service as dray's and hands them to that service", () => {
    const resolved = resolveManifests("shop", parseManifests(MANIFESTS, "k8s/all.yaml"), services);
    const api = resolved.byService.get("api")!;
    expect(api.map((o) => o.metadata.name)).toEqual(["api"]);
    expect(api[0]!.metadata.labels).toEqual({
      team: "core",
      "dray.dev/project": "shop",
      "dray.dev/service": "api",
    });
    expect(api[0]!.metadata.annotations).toEqual({
      "dray.dev/image-id": `sha256:${"1".repeat(64)}`,
      "dray.dev/spec-digest": `sha256:${"3".repeat(64)}`,
    });
    expect(resolved.shared.map((o) => o.kind)).toEqual(["CronJob", "ConfigMap"]);
    expect(resolved.byService.has("worker")).toBe(false);
  });

  it("does not change the parsed input", () => {
    const parsed = parseManifests(MANIFESTS, "k8s/all.yaml");
    const before = JSON.stringify(parsed);
    resolveManifests("shop", parsed, services);
    expect(JSON.stringify(parsed)).toBe(before);
  });

  it("skips objects naming a service this run keeps, rather than guessing its image", () => {
    const resolved = resolveManifests(
      "shop",
      parseManifests(MANIFESTS, "k8s/all.yaml"),
      new Map([
        ["api", desired("api")],
        ["worker", undefined],
      ]),
    );
    expect(resolved.skipped).toEqual(["k8s/all.yaml#1 (cronjob/report)"]);
    expect(resolved.objects.map((o) => o.kind)).toEqual(["Deployment", "ConfigMap"]);
  });

  it("rejects dray:// naming no service, with the file and the service", () => {
    const text = MANIFESTS.replace('"dray://api"}]', '"dray://apj"}]');
    let caught: unknown;
    try {
      resolveManifests("shop", parseManifests(text, "k8s/all.yaml"), services);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('k8s/all.yaml: image dray://apj names no dray service "apj"');
    expect((caught as UserError).hint).toContain("api, worker");
  });

  it("rejects a Deployment running two dray services", () => {
    const text = MANIFESTS.replace("docker.io/library/nginx:1.27", "dray://worker");
    expect(() => resolveManifests("shop", parseManifests(text, "k8s/all.yaml"), services)).toThrow(
      /Deployment api runs the dray services api and worker/,
    );
  });
});

describe("serviceOfImage", () => {
  const known = new Map([["api", undefined]]);
  const cases: { image: string; service: string | undefined }[] = [
    { image: "dray://api", service: "api" },
    { image: "api", service: "api" },
    { image: "api:latest", service: "api" },
    { image: "apix", service: undefined },
    { image: "library/api", service: undefined },
    { image: "reg.test/api:1", service: undefined },
    { image: "api@sha256:abc", service: undefined },
  ];
  it.each(cases)("$image names $service", ({ image, service }) => {
    expect(serviceOfImage(image, "f.yaml", known)).toBe(service);
  });
});

describe("parseManifests", () => {
  it("reads every document, unpacks Lists and ignores empty documents", () => {
    const text =
      "---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n";
    expect(parseManifests(text, "l.yaml").map((m) => `${m.source} ${m.object.metadata.name}`)).toEqual([
      "l.yaml#1 a",
      "l.yaml#1 b",
    ]);
  });

  it("names the document that is not a Kubernetes object", () => {
    expect(() => parseManifests("apiVersion: v1\nkind: ConfigMap\n---\nfoo: bar\n", "x.yaml")).toThrow(
      "x.yaml is not a Kubernetes object",
    );
  });
});
