/**
 * Contract tests of the Kubernetes API behaviour dray relies on, run against the TEST FAKE API
 * server (test/support/fake-kube-api.ts) and, when DRAY_TEST_KUBECONFIG names a kubeconfig, the
 * same tests against that real cluster (its user must be allowed to create and delete namespaces;
 * each run works in a namespace of its own and deletes it). Without DRAY_TEST_KUBECONFIG the
 * real-cluster tests are reported as skipped. A test the fake passes and the cluster fails means
 * the fake has drifted from the real server.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubernetesTargetConfig } from "../../src/config/types.js";
import { objectDrift } from "../../src/deploy/kubernetes/drift.js";
import { createKubeApi, type KubeApi } from "../../src/deploy/kubernetes/kube-api.js";
import { leaseLock } from "../../src/deploy/kubernetes/kube-lease.js";
import type { KubeObject } from "../../src/deploy/kubernetes/objects.js";
import { kubectlScale } from "../support/fake-kube/kubectl.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";
import { checkTargetLockContract } from "../support/target-lock-contract.js";

const realKubeconfig = process.env["DRAY_TEST_KUBECONFIG"];

const backends = [
  { backend: "the fake API server", real: false },
  { backend: "a real cluster (DRAY_TEST_KUBECONFIG)", real: true },
];

describe.each(backends)("Kubernetes API contract: $backend", ({ real }) => {
  const skip = real && !realKubeconfig;
  let fake: FakeKubeApi | undefined;
  let dir: string;
  let api: KubeApi;
  let warnings: string[];
  const ns = `dray-contract-${randomUUID().slice(0, 8)}`;
  const created: string[] = [];

  const target = (kubeconfig: string): KubernetesTargetConfig => ({
    name: "contract",
    kind: "kubernetes",
    namespace: ns,
    context: undefined,
    kubeconfig,
    manifests: undefined,
    progressDeadlineSeconds: 60,
    createNamespace: true,
    podSecurity: "none",
  });
  const apply = (apiPath: string, body: unknown, manager = "dray") =>
    api.send("PATCH", apiPath, {
      query: { fieldManager: manager, force: true },
      contentType: "application/apply-patch+yaml",
      body,
    });
  const namespace = async (name: string, labels: Record<string, string> = {}) => {
    const answer = await apply(`/api/v1/namespaces/${name}`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels },
    });
    expect(answer.status, answer.text).toBeLessThan(300);
    created.push(name);
  };
  /** A Deployment whose pod template violates Pod Security `restricted`. */
  const deployment = (name: string, replicas: number) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "registry.invalid/dray/contract:1" }] },
      },
    },
  });
  const eventually = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    if (skip) return;
    warnings = [];
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-contract-"));
    let kubeconfig = realKubeconfig ?? "";
    if (!real) {
      fake = await startFakeKubeApi({ rolloutDelayMs: 20 });
      kubeconfig = await fake.writeKubeconfig(dir);
    }
    api = await createKubeApi(target(kubeconfig), { onWarning: (text) => warnings.push(text) });
    await namespace(ns);
  });

  afterAll(async () => {
    if (skip) return;
    for (const name of created) await api.send("DELETE", `/api/v1/namespaces/${name}`);
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)("pods/log: Accept text/plain gets 406; */* passes negotiation", async () => {
    const log = `/api/v1/namespaces/${ns}/pods/none-such/log`;
    const plain = await api.send("GET", log, { accept: "text/plain" });
    expect(plain.status).toBe(406);
    expect(plain.text).toContain(
      "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
    );
    const any = await api.send("GET", log, { accept: "*/*" });
    expect(any.status).toBe(404);
    expect(JSON.parse(any.text)).toMatchObject({ reason: "NotFound", message: 'pods "none-such" not found' });
  });

  it.skipIf(skip)('a write into a missing namespace gets 404 namespaces "x" not found', async () => {
    const missing = `${ns}-missing`;
    const answer = await apply(`/api/v1/namespaces/${missing}/configmaps/c`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
    });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text)).toMatchObject({
      reason: "NotFound",
      message: `namespaces "${missing}" not found`,
      details: { name: missing, kind: "namespaces" },
    });
  });

  it.skipIf(skip)(
    "Pod Security warn: applying a violating Deployment answers with a Warning header",
    async () => {
      const warned = `${ns}-warn`;
      await namespace(warned, { "pod-security.kubernetes.io/warn": "restricted" });
      const answer = await apply(`/apis/apps/v1/namespaces/${warned}/deployments/w`, deployment("w", 0));
      expect(answer.status).toBeLessThan(300);
      expect(warnings.some((w) => w.startsWith('would violate PodSecurity "restricted:latest": '))).toBe(
        true,
      );
    },
  );

  it.skipIf(skip)(
    "Pod Security enforce: the Deployment gets ReplicaFailure FailedCreate, its ReplicaSet a FailedCreate Event",
    async () => {
      const enforced = `${ns}-enforce`;
      await namespace(enforced, { "pod-security.kubernetes.io/enforce": "restricted" });
      const answer = await apply(`/apis/apps/v1/namespaces/${enforced}/deployments/e`, deployment("e", 1));
      expect(answer.status).toBeLessThan(300);
      const condition = await eventually(async () => {
        const live = (await api.request("GET", `/apis/apps/v1/namespaces/${enforced}/deployments/e`)) as {
          status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
        };
        return live.status?.conditions?.find((c) => c.type === "ReplicaFailure");
      }, "the ReplicaFailure condition");
      expect(condition).toMatchObject({ status: "True", reason: "FailedCreate" });
      expect(condition.message).toMatch(
        /^pods "e-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest": /,
      );
      const events = (await api.request("GET", `/api/v1/namespaces/${enforced}/events`, {
        query: { fieldSelector: "reason=FailedCreate" },
      })) as { items: { involvedObject: { kind: string }; message: string; type: string }[] };
      expect(
        events.items.some(
          (e) => e.involvedObject.kind === "ReplicaSet" && /violates PodSecurity/.test(e.message),
        ),
      ).toBe(true);
    },
  );

  it.skipIf(skip)("SelfSubjectAccessReview answers allowed for a permission the user has", async () => {
    const answer = (await api.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { namespace: ns, verb: "create", group: "", resource: "configmaps" } },
      },
    })) as { kind: string; status: { allowed: boolean } };
    expect(answer).toMatchObject({ kind: "SelfSubjectAccessReview", status: { allowed: true } });
  });

  it.skipIf(skip || real)(
    "SelfSubjectAccessReview answers allowed: false for a permission taken away",
    async () => {
      fake!.forbid({ verb: "patch", resource: "services", namespace: ns });
      const answer = (await api.request("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", {
        body: {
          spec: { resourceAttributes: { namespace: ns, verb: "patch", group: "", resource: "services" } },
        },
      })) as { status: { allowed: boolean } };
      expect(answer.status).toEqual({ allowed: false });
    },
  );

  it.skipIf(skip)(
    "Leases: create twice gets 409 AlreadyExists; an update with a stale resourceVersion 409 Conflict",
    async () => {
      const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
      const lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "l" },
        spec: { holderIdentity: "a", leaseDurationSeconds: 30 },
      };
      const first = await api.send("POST", leases, { body: lease });
      expect(first.status).toBe(201);
      const again = await api.send("POST", leases, { body: lease });
      expect(again.status).toBe(409);
      expect(JSON.parse(again.text)).toMatchObject({
        reason: "AlreadyExists",
        message: 'leases.coordination.k8s.io "l" already exists',
      });
      const stored = JSON.parse(first.text) as typeof lease & { metadata: { resourceVersion: string } };
      const updated = await api.send("PUT", `${leases}/l`, {
        body: { ...stored, spec: { ...stored.spec, holderIdentity: "b" } },
      });
      expect(updated.status).toBe(200);
      const stale = await api.send("PUT", `${leases}/l`, {
        body: { ...stored, spec: { ...stored.spec, holderIdentity: "c" } },
      });
      expect(stale.status).toBe(409);
      expect(JSON.parse(stale.text)).toMatchObject({
        reason: "Conflict",
        message:
          'Operation cannot be fulfilled on leases.coordination.k8s.io "l": the object has been modified; please apply your changes to the latest version and try again',
      });
    },
  );

  it.skipIf(skip)(
    "Leases: a DELETE whose uid precondition names another object gets 409 Conflict and deletes nothing; with its own uid it deletes",
    async () => {
      const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
      const lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "d" },
        spec: {},
      };
      const created = await api.send("POST", leases, { body: lease });
      expect(created.status, created.text).toBe(201);
      const uid = (JSON.parse(created.text) as { metadata: { uid: string } }).metadata.uid;
      const other = randomUUID();
      const refused = await api.send("DELETE", `${leases}/d`, {
        body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: other } },
      });
      expect(refused.status).toBe(409);
      expect(JSON.parse(refused.text)).toMatchObject({
        kind: "Status",
        reason: "Conflict",
        message: `Operation cannot be fulfilled on leases.coordination.k8s.io "d": Precondition failed: UID in precondition: ${other}, UID in object meta: ${uid}`,
      });
      expect((await api.send("GET", `${leases}/d`)).status).toBe(200);
      const deleted = await api.send("DELETE", `${leases}/d`, {
        body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid } },
      });
      expect(deleted.status, deleted.text).toBe(200);
      expect((await api.send("GET", `${leases}/d`)).status).toBe(404);
    },
  );

  it.skipIf(skip)("the deploy Lease keeps the TargetLock contract", async () => {
    await checkTargetLockContract(leaseLock(api, ns, `contract-${randomUUID().slice(0, 8)}`));
  });

  it.skipIf(skip)(
    "managed fields: a change by kubectl takes the field from dray's Apply entry, which drift then reports",
    async () => {
      const applied = deployment("m", 0) as unknown as KubeObject;
      expect((await apply(`/apis/apps/v1/namespaces/${ns}/deployments/m`, applied)).status).toBeLessThan(300);
      // The real kubectl on a real cluster; on the fake, the request kubectl sends.
      if (real)
        execFileSync("kubectl", [
          "--kubeconfig",
          realKubeconfig!,
          "-n",
          ns,
          "scale",
          "deployment/m",
          "--replicas=2",
        ]);
      else await kubectlScale(fake!.url, ns, "m", 2);
      const live = (await api.request("GET", `/apis/apps/v1/namespaces/${ns}/deployments/m`)) as KubeObject;
      const entries = live.metadata["managedFields"] as {
        manager: string;
        operation: string;
        subresource?: string;
        fieldsV1: { "f:spec"?: Record<string, unknown> };
      }[];
      const dray = entries.find((e) => e.manager === "dray" && e.operation === "Apply");
      const kubectl = entries.find((e) => e.manager === "kubectl" && e.operation === "Update");
      expect(dray?.fieldsV1["f:spec"]?.["f:replicas"]).toBeUndefined();
      expect(dray?.fieldsV1["f:spec"]?.["f:template"]).toBeDefined();
      expect(kubectl).toMatchObject({ subresource: "scale", fieldsV1: { "f:spec": { "f:replicas": {} } } });
      expect(
        objectDrift(live, applied, "dray").map(
          (d) => `${d.field} ${String(d.applied)} → ${String(d.live)} ${d.changedBy}`,
        ),
      ).toEqual(["replicas 0 → 2 kubectl"]);
    },
  );
});
