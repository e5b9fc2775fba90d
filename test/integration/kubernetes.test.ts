/**
 * The kubernetes target end to end against a TEST FAKE of the API server (test/support/fake-kube-api.ts),
 * through the official client's kubeconfig handling. No cluster is started.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubernetesTargetConfig } from "../../src/config/types.js";
import { DeployFailure } from "../../src/deploy/failure.js";
import { openKubernetesTarget } from "../../src/deploy/kubernetes/index.js";
import { planRollback } from "../../src/deploy/rollback-plan.js";
import type { DeployTarget, DesiredService, LiveService } from "../../src/deploy/types.js";
import { UserError } from "../../src/errors/errors.js";
import { desiredService, recordingContext } from "../support/deploy-fixtures.js";
import { digest } from "../support/digest.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";

function desired(name: string, version: string, ports: string[] = ["8080/tcp"]): DesiredService {
  return desiredService(name, {
    imageId: digest(version),
    image: `reg.test/shop/${name}@${digest(version)}`,
    specDigest: digest("5"),
    settings: { env: { V: version }, ports, user: "65532:65532" },
    deploy: { replicas: 2, restart: "always" },
  });
}

const context = (lines: string[] = []) => recordingContext(lines);

const image = (fake: FakeKubeApi, name = "api") =>
  (
    fake.get("Deployment", "shop", name)?.["spec"] as {
      template: { spec: { containers: { image: string }[] } };
    }
  ).template.spec.containers[0]!.image;

describe("kubernetes target against the fake API server", () => {
  let fake: FakeKubeApi;
  let dir: string;
  let config: KubernetesTargetConfig;
  let target: DeployTarget;

  beforeEach(async () => {
    fake = await startFakeKubeApi({ rolloutDelayMs: 20 });
    // The namespace exists, as it must on a real server (creating it is tested on its own).
    fake.addNamespace("shop");
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-kube-"));
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
    target = await openKubernetesTarget(config, "shop", { pollIntervalMs: 10, maxPollIntervalMs: 40 });
  });

  afterEach(async () => {
    target.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("first deploy to the fake API server creates the Deployment and Service; readLive then reports the same identity", async () => {
    const api = desired("api", "1");
    await target.apply({ kind: "create", desired: api, reasons: ["new"] }, context());

    expect(image(fake)).toBe(api.image);
    expect(fake.get("Service", "shop", "api")?.["spec"]).toMatchObject({ type: "ClusterIP" });
    const live = await target.readLive("shop");
    // What the planner compares: the same (image ID, spec digest) means the next deploy keeps it.
    expect(live.get("api")).toEqual({
      name: "api",
      imageId: api.imageId,
      specDigest: api.specDigest,
      ids: ["deployment/api"],
      running: true,
      // The version dray recorded, and since when it runs (the rollout's finish).
      version: expect.objectContaining({
        imageId: api.imageId,
        specDigest: api.specDigest,
        image: api.image,
      }),
      since: expect.any(String),
    } satisfies LiveService);
    expect((await target.readLive("other")).size).toBe(0);
  });

  it("every write to the fake API server is a server-side apply with field manager dray, signed with the kubeconfig's token", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    const patches = fake.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.path).sort()).toEqual([
      "/api/v1/namespaces/shop/services/api",
      "/apis/apps/v1/namespaces/shop/deployments/api",
    ]);
    for (const patch of patches) {
      expect(patch).toMatchObject({ contentType: "application/apply-patch+yaml", fieldManager: "dray" });
      expect(patch.query["force"]).toBe("true");
    }
    expect(new Set(fake.requests.map((r) => r.authorization))).toEqual(new Set(["Bearer fake-token"]));
  });

  it("a changed image rolls out on the fake API server", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    const [live] = (await target.readLive("shop")).values();
    const next = desired("api", "2");
    await target.apply(
      { kind: "replace", desired: next, live: live!, reasons: ["image changed"] },
      context(),
    );

    expect(image(fake)).toBe(next.image);
    expect(fake.get("Deployment", "shop", "api")?.metadata["generation"]).toBe(2);
    expect((await target.readLive("shop")).get("api")?.imageId).toBe(next.imageId);
  });

  it("a failing rollout on the fake API server re-applies the previous spec and throws DeployFailure naming the service", async () => {
    const old = desired("api", "1");
    await target.apply({ kind: "create", desired: old, reasons: ["new"] }, context());
    const [live] = (await target.readLive("shop")).values();
    fake.failImagesContaining(digest("b"));

    const failing = target.apply(
      { kind: "replace", desired: desired("api", "b"), live: live!, reasons: ["image changed"] },
      context(),
    );
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployFailure);
    expect((error as DeployFailure).message).toBe("rollout of api did not finish: ProgressDeadlineExceeded");
    expect((error as DeployFailure).failure).toMatchObject({ service: "api", rolledBack: true });
    expect((error as DeployFailure).failure.logs).toContain("panic: fake failure for this image");

    expect(image(fake)).toBe(old.image);
    expect((await target.readLive("shop")).get("api")).toMatchObject({ imageId: old.imageId, running: true });
  });

  it("a failing rollout on the fake API server puts back the running version with the previous one it kept", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    const one = (await target.readLive("shop")).get("api")!;
    await target.apply(
      { kind: "replace", desired: desired("api", "2"), live: one, reasons: ["image changed"] },
      context(),
    );
    const two = (await target.readLive("shop")).get("api")!;
    expect(two.previous).toMatchObject({ imageId: digest("1") });
    fake.failImagesContaining(digest("b"));
    const error = await target
      .apply(
        { kind: "replace", desired: desired("api", "b"), live: two, reasons: ["image changed"] },
        context(),
      )
      .catch((e: unknown) => e);
    expect((error as DeployFailure).failure).toMatchObject({ rolledBack: true });
    const after = (await target.readLive("shop")).get("api")!;
    expect(after.imageId).toBe(digest("2"));
    expect(after.previous).toMatchObject({ imageId: digest("1") });
  });

  it("a rollback whose version no longer becomes ready on the fake API server fails naming the service; the current version keeps running", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    const one = (await target.readLive("shop")).get("api")!;
    await target.apply(
      { kind: "replace", desired: desired("api", "2"), live: one, reasons: ["image changed"] },
      context(),
    );
    fake.failImagesContaining(digest("1"));
    const [back] = planRollback(await target.readLive("shop"), ["api"], "cluster");
    expect(back!.desired.image).toBe(desired("api", "1").image);
    const error = await target.apply(back!, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployFailure);
    expect((error as DeployFailure).message).toBe("rollout of api did not finish: ProgressDeadlineExceeded");
    expect((error as DeployFailure).failure).toMatchObject({ service: "api", rolledBack: true });
    expect(image(fake)).toBe(desired("api", "2").image);
    expect((await target.readLive("shop")).get("api")?.previous).toMatchObject({ imageId: digest("1") });
  });

  it("a failing first rollout on the fake API server removes what it created", async () => {
    fake.failImagesContaining(digest("b"));
    const error = await target
      .apply({ kind: "create", desired: desired("api", "b"), reasons: ["new"] }, context())
      .catch((e: unknown) => e);
    expect((error as DeployFailure).failure).toMatchObject({ service: "api", rolledBack: false });
    expect(fake.get("Deployment", "shop", "api")).toBeUndefined();
    expect(fake.get("Service", "shop", "api")).toBeUndefined();
  });

  it("a Service whose ports are gone is deleted from the fake API server after the rollout", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    const [live] = (await target.readLive("shop")).values();
    await target.apply(
      { kind: "replace", desired: desired("api", "2", []), live: live!, reasons: ["spec changed"] },
      context(),
    );
    expect(fake.get("Service", "shop", "api")).toBeUndefined();
    expect(image(fake)).toBe(desired("api", "2").image);
  });

  it("remove deletes the Deployment and Service from the fake API server", async () => {
    await target.apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context());
    await target.apply({ kind: "create", desired: desired("web", "1"), reasons: ["new"] }, context());
    const live = await target.readLive("shop");
    await target.remove(live.get("api")!, context());

    expect(fake.get("Deployment", "shop", "api")).toBeUndefined();
    expect(fake.get("Service", "shop", "api")).toBeUndefined();
    expect([...(await target.readLive("shop")).keys()]).toEqual(["web"]);
  });

  it("403 from the fake API server is a UserError naming the verb and resource", async () => {
    fake.reject((r) =>
      r.method === "PATCH" ? { status: 403, message: "forbidden by the fake" } : undefined,
    );
    const error = await target
      .apply({ kind: "create", desired: desired("api", "1"), reasons: ["new"] }, context())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      "not allowed to patch services api in namespace shop: forbidden by the fake",
    );
  });

  it("an unreachable fake API server is a UserError naming the server, the context and the kubeconfig", async () => {
    await fake.close();
    const error = await target.readLive("shop").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(`cannot reach the Kubernetes API server at ${fake.url}`);
    expect((error as UserError).hint).toContain(`context "fake" in ${config.kubeconfig}`);
    fake = await startFakeKubeApi();
  });

  it("an unknown kubeconfig context is a UserError listing the contexts (no request to the fake API server)", async () => {
    const error = await openKubernetesTarget({ ...config, context: "prod" }, "shop").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toContain("Contexts there: fake");
  });

  it("user manifests go to the fake API server with dray's images and annotations", async () => {
    const manifests = path.join(dir, "k8s");
    await mkdir(manifests);
    await writeFile(
      path.join(manifests, "api.yaml"),
      [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata: {name: api-settings}",
        "data: {LEVEL: debug}",
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: api-server}",
        "spec:",
        "  replicas: 1",
        "  selector: {matchLabels: {app: api}}",
        "  template:",
        "    metadata: {labels: {app: api}}",
        "    spec:",
        "      containers: [{name: api, image: 'dray://api'}]",
      ].join("\n"),
    );
    const own = await openKubernetesTarget({ ...config, manifests }, "shop", {
      services: ["api", "web"],
      pollIntervalMs: 10,
    });
    const api = desired("api", "1");
    const action = { kind: "create", desired: api, reasons: ["new"] } as const;
    await own.prepare([action], context());
    expect(fake.get("ConfigMap", "shop", "api-settings")?.["data"]).toEqual({ LEVEL: "debug" });
    await own.apply(action, context());

    expect(image(fake, "api-server")).toBe(api.image);
    expect(fake.get("Deployment", "shop", "api-server")?.metadata["labels"]).toMatchObject({
      "dray.dev/project": "shop",
      "dray.dev/service": "api",
    });
    expect((await own.readLive("shop")).get("api")).toMatchObject({
      imageId: api.imageId,
      ids: ["deployment/api-server"],
    });
  });
});
