import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { desiredService, kubernetesTarget } from "../../../test/support/deploy-fixtures.js";
import type { KubeObject } from "./objects.js";
import { rbacManifests } from "./rbac-manifests.js";
import { renderForTarget } from "./render-for-target.js";

const config = kubernetesTarget();

describe("renderForTarget", () => {
  it("writes on each Deployment the record a later dray deploy rolls it back with", async () => {
    const api = desiredService("api", { settings: { ports: ["8080"] } });
    const rendered = await renderForTarget(config, "shop", [api]);
    const deployment = rendered.objects.find((o) => o.kind === "Deployment")!;
    const service = rendered.objects.find((o) => o.kind === "Service")!;
    const record = JSON.parse(deployment.metadata.annotations!["dray.dev/applied"]!) as KubeObject[];
    expect(record.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Deployment/api", "Service/api"]);
    // The record is of the objects as applied, without itself.
    expect(record[0]!.metadata.annotations!["dray.dev/applied"]).toBeUndefined();
    expect(record[1]).toEqual(service);
    expect(service.metadata.annotations?.["dray.dev/applied"]).toBeUndefined();
    expect(rendered.byService.get("api")).toContain(deployment);
  });
});

describe("rbacManifests", () => {
  it("grants in the namespace what a deploy uses, and cluster-wide what creating the namespace needs", async () => {
    const text = await rbacManifests(config, "shop", {
      kind: "ServiceAccount",
      name: "ci",
      namespace: "build",
    });
    const objects = text.split(/^---$/m).map((doc) => parse(doc) as KubeObject & Record<string, unknown>);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ClusterRole/dray-deploy-shop",
      "ClusterRoleBinding/dray-deploy-shop",
      "Role/dray-deploy-shop",
      "RoleBinding/dray-deploy-shop",
    ]);
    const role = objects.find((o) => o.kind === "Role")!;
    expect(role.metadata.namespace).toBe("shop");
    expect(role["rules"]).toEqual([
      {
        apiGroups: ["apps"],
        resources: ["deployments"],
        verbs: ["get", "list", "create", "patch", "delete"],
      },
      { apiGroups: [""], resources: ["services"], verbs: ["get", "create", "patch", "delete"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "create", "update", "delete"],
      },
      { apiGroups: [""], resources: ["pods"], verbs: ["list"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["list"] },
      { apiGroups: [""], resources: ["events"], verbs: ["list"] },
    ]);
    expect(objects.find((o) => o.kind === "ClusterRole")!["rules"]).toEqual([
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "create", "patch"] },
    ]);
    expect(objects.find((o) => o.kind === "RoleBinding")!["subjects"]).toEqual([
      { kind: "ServiceAccount", name: "ci", namespace: "build" },
    ]);
    const withoutNamespace = await rbacManifests({ ...config, createNamespace: false }, "shop", {
      kind: "User",
      name: "alice",
    });
    expect(withoutNamespace).not.toContain("ClusterRole");
  });
});
