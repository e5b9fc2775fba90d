/**
 * The kubernetes target where a real cluster differs from a naïve fake, against the TEST FAKE API
 * server (test/support/fake-kube-api.ts), which answers as a real kube-apiserver does for each of
 * these: logs only for an Accept it serves, 404 for a namespace that does not exist, Pod Security
 * admission (FailedCreate conditions, Warning headers), authorization and SelfSubjectAccessReview,
 * managed fields, Leases. No cluster is started.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubernetesTargetConfig } from "../../src/config/types.js";
import { planDeploy } from "../../src/deploy/deploy-plan.js";
import { formatDrift } from "../../src/deploy/drift.js";
import { DeployFailure } from "../../src/deploy/failure.js";
import { openKubernetesTarget } from "../../src/deploy/kubernetes/index.js";
import type { KubernetesTargetOptions } from "../../src/deploy/kubernetes/target.js";
import type { DeployTarget, DesiredService } from "../../src/deploy/types.js";
import { UserError } from "../../src/errors/errors.js";
import { DRAY_VERSION } from "../../src/io/version.js";
import { desiredService, recordingContext } from "../support/deploy-fixtures.js";
import { digest } from "../support/digest.js";
import { kubectlScale, kubectlSetEnv } from "../support/fake-kube/kubectl.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";

function desired(name: string, version: string, user = "65532:65532"): DesiredService {
  return desiredService(name, {
    imageId: digest(version),
    image: `reg.test/shop/${name}@${digest(version)}`,
    specDigest: digest("5"),
    settings: { env: { V: version }, ports: ["8080/tcp"], user },
    deploy: { replicas: 2, restart: "always" },
  });
}

const create = (d: DesiredService) => ({ kind: "create", desired: d, reasons: ["new"] }) as const;
const writes = (fake: FakeKubeApi) =>
  fake.requests.filter((r) => r.method !== "GET" && !r.path.includes("selfsubjectaccessreviews"));

describe("the kubernetes target against a fake API server that behaves like a real one", () => {
  let fake: FakeKubeApi;
  let dir: string;
  let config: KubernetesTargetConfig;
  let lines: string[];
  const open = (over: Partial<KubernetesTargetConfig> = {}, options: KubernetesTargetOptions = {}) =>
    openKubernetesTarget({ ...config, ...over }, "shop", {
      pollIntervalMs: 10,
      maxPollIntervalMs: 40,
      log: (service, line) => lines.push(`${service}: ${line}`),
      ...options,
    });

  beforeEach(async () => {
    fake = await startFakeKubeApi({ rolloutDelayMs: 20 });
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-kube-real-"));
    lines = [];
    config = {
      name: "cluster",
      kind: "kubernetes",
      namespace: "shop",
      context: "fake",
      kubeconfig: await fake.writeKubeconfig(dir),
      manifests: undefined,
      progressDeadlineSeconds: 30,
      createNamespace: true,
      podSecurity: "restricted",
    };
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("a failed rollout shows the failing pod's last log lines and its container's state", async () => {
    fake.addNamespace("shop");
    fake.failImagesContaining(digest("b"));
    const target = await open();
    const error = await target
      .apply(create(desired("api", "b")), recordingContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployFailure);
    const failure = (error as DeployFailure).failure;
    expect(failure.logs).toEqual([
      `starting reg.test/shop/api@${digest("b")}`,
      "panic: fake failure for this image",
    ]);
    expect(failure.cause).toBe(
      'container "api" keeps exiting (CrashLoopBackOff; exit code 2, Error, restarted 3 times)',
    );
    expect((error as DeployFailure).details).toContain('cause: container "api" keeps exiting');
  });

  it("an image that cannot be pulled is named as the cause, and why there are no log lines is said", async () => {
    fake.addNamespace("shop");
    fake.failPullsContaining(digest("p"));
    const target = await open();
    const error = (await target
      .apply(create(desired("api", "p")), recordingContext())
      .catch((e: unknown) => e)) as DeployFailure;
    expect(error.failure.cause).toMatch(
      /^container "api" cannot pull its image \(ImagePullBackOff\): Failed to pull image/,
    );
    expect(error.failure.logNote).toMatch(/is waiting to start: trying and failing to pull image$/);
  });

  it("creates a missing namespace with server-side apply before the first write", async () => {
    const target = await open();
    await target.apply(create(desired("api", "1")), recordingContext());
    expect(fake.get("Namespace", "", "shop")?.metadata["labels"]).toMatchObject({
      "app.kubernetes.io/managed-by": "dray",
    });
    const namespaceApply = fake.requests.find(
      (r) => r.method === "PATCH" && r.path === "/api/v1/namespaces/shop",
    );
    expect(namespaceApply).toMatchObject({
      fieldManager: "dray",
      contentType: "application/apply-patch+yaml",
    });
    expect(lines).toContain("kubernetes: created namespace shop");
  });

  it("with createNamespace: false a missing namespace is one error with the kubectl hint, and nothing is written", async () => {
    const target = await open({ createNamespace: false });
    const error = await target
      .apply(create(desired("api", "1")), recordingContext())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`namespace "shop" does not exist on ${fake.url}`);
    expect((error as UserError).hint).toContain("kubectl create namespace shop");
    expect(writes(fake)).toEqual([]);
  });

  it("a namespace enforcing Pod Security restricted: generated pods of a non-root image pass", async () => {
    fake.addNamespace("shop", { "pod-security.kubernetes.io/enforce": "restricted" });
    const target = await open();
    await target.apply(create(desired("api", "1")), recordingContext());
    expect((await target.readLive("shop")).get("api")).toMatchObject({ running: true });
  });

  it("a namespace enforcing Pod Security restricted: a refused pod fails at once, naming the violation", async () => {
    fake.addNamespace("shop", { "pod-security.kubernetes.io/enforce": "restricted" });
    // podSecurity none: dray does not set the restricted fields, so the controller's pods are refused.
    const target = await open({ podSecurity: "none" });
    const started = Date.now();
    const error = (await target
      .apply(create(desired("api", "1")), recordingContext())
      .catch((e: unknown) => e)) as DeployFailure;
    expect(error).toBeInstanceOf(DeployFailure);
    expect(error.message).toBe(
      "rollout of api did not finish: its pods are refused by Pod Security admission (FailedCreate)",
    );
    expect(error.failure.cause).toMatch(
      /^FailedCreate: pods "api-[0-9a-f]+-[0-9a-f]+" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
    // Not after the 30 s progress deadline: the refusal is final.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("prints each Warning the server sends once, however many applies carry it", async () => {
    fake.addNamespace("shop", { "pod-security.kubernetes.io/warn": "restricted" });
    const target = await open({ podSecurity: "none" });
    await target.apply(create(desired("api", "1")), recordingContext());
    await target.apply(create(desired("api", "2")), recordingContext());
    const warnings = lines.filter((l) => l.startsWith("kubernetes: warning from the API server"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^kubernetes: warning from the API server \(patch deployments api in namespace shop\): would violate PodSecurity "restricted:latest": /,
    );
  });

  it("a failed first deploy is removed by default, and left for inspection with keepFailed", async () => {
    fake.addNamespace("shop");
    fake.failImagesContaining(digest("b"));
    const removing = await open();
    const removed = (await removing
      .apply(create(desired("api", "b")), recordingContext())
      .catch((e: unknown) => e)) as DeployFailure;
    expect(removed.hint).toContain("--keep-failed");
    expect(fake.get("Deployment", "shop", "api")).toBeUndefined();

    const keeping = await open({}, { keepFailed: true });
    const kept = (await keeping
      .apply(create(desired("api", "b")), recordingContext())
      .catch((e: unknown) => e)) as DeployFailure;
    expect(kept.failure.rolledBack).toBe(false);
    expect(kept.hint).toContain("kubectl -n shop describe deployment api");
    expect(fake.get("Deployment", "shop", "api")).toBeDefined();
    expect(fake.get("Service", "shop", "api")).toBeDefined();
  });

  it("without a permission the deploy needs, nothing is written and every missing permission is named", async () => {
    fake.addNamespace("shop");
    fake.forbid({ verb: "patch", resource: "services" });
    fake.forbid({ verb: "create", resource: "services" });
    const target = await open();
    const context = recordingContext(lines);
    const error = await target.apply(create(desired("api", "1")), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'not allowed to deploy to namespace shop: the user of context "fake" may not create services, patch services',
    );
    expect((error as UserError).details).toContain("kind: Role");
    expect((error as UserError).hint).toContain("dray rbac");
    expect(writes(fake)).toEqual([]);
    expect(lines.filter((l) => l.includes("rollback failed"))).toEqual([]);
  });

  it("a change made with kubectl is drift: reported by readLive, planned as a replacement, corrected by apply", async () => {
    fake.addNamespace("shop");
    const target = await open();
    const api = desired("api", "1");
    await target.apply(create(api), recordingContext());
    await kubectlScale(fake.url, "shop", "api", 1);
    await kubectlSetEnv(fake.url, "shop", "api", "api", { V: "hand" });

    const live = await target.readLive("shop");
    expect(live.get("api")?.drift?.map(formatDrift)).toEqual([
      "replicas 2 → 1 (changed by kubectl)",
      "containers[api].env[V] 1 → hand (changed by kubectl-set)",
    ]);
    expect(live.get("api")?.drift?.[0]).toEqual({
      service: "api",
      field: "replicas",
      deployed: "2",
      live: "1",
      by: "kubectl",
    });
    const [action] = planDeploy([api], live, { prune: false, known: new Set(["api"]) });
    expect(action).toMatchObject({
      kind: "replace",
      reasons: [
        "drifted: replicas 2 → 1 (changed by kubectl), containers[api].env[V] 1 → hand (changed by kubectl-set)",
      ],
    });
    await target.apply(action as Extract<typeof action, { kind: "replace" }>, recordingContext());
    const after = await target.readLive("shop");
    expect(after.get("api")?.drift).toBeUndefined();
    expect((fake.get("Deployment", "shop", "api")?.["spec"] as { replicas: number }).replicas).toBe(2);
  });

  it("names itself dray/VERSION on every request", async () => {
    const target: DeployTarget = await open();
    await target.apply(create(desired("api", "1")), recordingContext());
    expect(new Set(fake.requests.map((r) => r.userAgent))).toEqual(new Set([`dray/${DRAY_VERSION}`]));
  });
});
