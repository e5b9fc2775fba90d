/** The deploy Lease against the TEST FAKE API server (test/support/fake-kube-api.ts). */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeKubeApi, startFakeKubeApi } from "../../../test/support/fake-kube-api.js";
import type { KubernetesTargetConfig } from "../../config/types.js";
import { UserError } from "../../errors/errors.js";
import { createKubeApi, type KubeApi } from "./kube-api.js";
import { acquireLease, type LeaseOptions } from "./kube-lease.js";

describe("the deploy Lease on the fake API server", () => {
  let fake: FakeKubeApi;
  let dir: string;
  let api: KubeApi;
  const options = (holder: string, over: Partial<LeaseOptions> = {}): LeaseOptions => ({
    project: "shop",
    namespace: "shop",
    waitMs: 0,
    holder,
    command: "deploy --target prod",
    pollMs: 10,
    ...over,
  });
  const spec = () =>
    fake.get("Lease", "shop", "dray-deploy-shop")?.["spec"] as Record<string, unknown> | undefined;

  beforeEach(async () => {
    fake = await startFakeKubeApi();
    fake.addNamespace("shop");
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-lease-"));
    const config: KubernetesTargetConfig = {
      name: "prod",
      kind: "kubernetes",
      namespace: "shop",
      context: undefined,
      kubeconfig: await fake.writeKubeconfig(dir),
      manifests: undefined,
      progressDeadlineSeconds: 120,
      createNamespace: true,
      podSecurity: "restricted",
    };
    api = await createKubeApi(config);
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("is created for the holder, refused to a second deployer naming the first and since when, and free after release", async () => {
    const first = await acquireLease(api, options("alice@ci-1 pid 10"));
    expect(spec()).toMatchObject({
      holderIdentity: "alice@ci-1 pid 10",
      leaseDurationSeconds: 30,
      leaseTransitions: 0,
    });
    const acquired = String(spec()?.["acquireTime"]);
    expect(acquired).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

    const refused = await acquireLease(api, options("bob@ci-2 pid 20")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toBe(
      `another deploy to namespace shop on ${fake.url} holds the lock (Lease dray-deploy-shop): alice@ci-1 pid 10 (\`dray deploy --target prod\`), since ${acquired}, renewed 0s ago`,
    );
    expect((refused as UserError).hint).toContain("--lock-wait");

    await first.release();
    expect(spec()?.["holderIdentity"]).toBeUndefined();
    const second = await acquireLease(api, options("bob@ci-2 pid 20"));
    expect(spec()).toMatchObject({ holderIdentity: "bob@ci-2 pid 20" });
    await second.release();
  });

  it("queues a second deployer that may wait, until the first releases", async () => {
    const first = await acquireLease(api, options("alice"));
    const lines: string[] = [];
    const waiting = acquireLease(api, options("bob", { waitMs: 60_000, log: (l) => lines.push(l) }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(spec()?.["holderIdentity"]).toBe("alice");
    await first.release();
    const second = await waiting;
    expect(second.holder).toBe("bob");
    expect(lines[0]).toMatch(/^waiting for the deploy lock: alice/);
    await second.release();
  });

  it("of two deployers racing for a free lease exactly one gets it (the other's write conflicts)", async () => {
    const results = await Promise.allSettled([
      acquireLease(api, options("one")),
      acquireLease(api, options("two")),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((lost.reason as UserError).message).toContain(
      `holds the lock (Lease dray-deploy-shop): ${spec()?.["holderIdentity"]}`,
    );
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it("is taken over once its holder stopped renewing it for longer than its duration", async () => {
    const lines: string[] = [];
    const first = await acquireLease(api, options("dead", { durationSeconds: 5 }));
    const later = () => Date.now() + 10_000;
    const second = await acquireLease(api, options("next", { now: later, log: (l) => lines.push(l) }));
    expect(spec()).toMatchObject({ holderIdentity: "next", leaseTransitions: 1 });
    expect(lines).toEqual(["took over the expired deploy lock of dead"]);
    // The old holder's release leaves the new holder's lease alone.
    await first.release();
    expect(spec()?.["holderIdentity"]).toBe("next");
    await second.release();
  });
});
