/** The deploy Lease against the TEST FAKE API server (test/support/fake-kube-api.ts). */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubernetesTarget } from "../../../test/support/deploy-fixtures.js";
import { type FakeKubeApi, startFakeKubeApi } from "../../../test/support/fake-kube-api.js";
import { checkTargetLockContract } from "../../../test/support/target-lock-contract.js";
import { UserError } from "../../errors/errors.js";
import type { LockHolder } from "../lock-holder.js";
import { acquireTargetLock } from "../target-lock.js";
import { createKubeApi, type KubeApi } from "./kube-api.js";
import { LEASE_HOLDER, leaseLock } from "./kube-lease.js";

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/shop/leases";

function holder(user: string, pid: number): Omit<LockHolder, "since"> {
  return {
    user,
    host: `ci-${pid}`,
    pid,
    pidSpace: "elsewhere",
    project: "shop",
    target: "prod",
    command: "deploy --target prod",
    token: `t${pid}`,
  };
}

describe("the deploy Lease on the fake API server", () => {
  let fake: FakeKubeApi;
  let dir: string;
  let api: KubeApi;
  const stored = () => fake.get("Lease", "shop", "dray-deploy-shop");
  const spec = () => stored()?.["spec"] as Record<string, unknown> | undefined;

  beforeEach(async () => {
    fake = await startFakeKubeApi();
    fake.addNamespace("shop");
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-lease-"));
    const config = kubernetesTarget({ kubeconfig: await fake.writeKubeconfig(dir) });
    api = await createKubeApi(config);
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps the TargetLock contract", async () => {
    await checkTargetLockContract(leaseLock(api, "shop", "shop"));
  });

  it("names its holder in spec.holderIdentity and, whole, in an annotation; a second deployer fails naming it", async () => {
    const first = await acquireTargetLock(leaseLock(api, "shop", "shop"), {
      holder: holder("alice", 10),
      waitMs: 0,
      notice: () => {},
    });
    expect(spec()).toMatchObject({ holderIdentity: "alice@ci-10 pid 10", leaseDurationSeconds: 30 });
    expect(String(spec()?.["renewTime"])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const annotations = (stored()?.metadata["annotations"] ?? {}) as Record<string, string>;
    expect(JSON.parse(annotations[LEASE_HOLDER]!)).toEqual(first.holder);

    const refused = await acquireTargetLock(leaseLock(api, "shop", "shop"), {
      holder: holder("bob", 20),
      waitMs: 0,
      notice: () => {},
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(
      /^another deploy to target prod is running: alice@ci-10 \(pid 10, `dray deploy --target prod`, since .*\), last renewed \d+s ago$/,
    );
    expect((refused as UserError).hint).toContain(`Lease dray-deploy-shop in namespace shop on ${fake.url}`);
    await first.release();
    expect(stored()).toBeUndefined();
  });

  it("removes only by its own UID: the DELETE carries it as a precondition, and another Lease of that name stays", async () => {
    const lock = leaseLock(api, "shop", "shop");
    const id = await lock.create({ ...holder("alice", 10), since: Date.now() });
    await lock.remove(id!);
    const other = await lock.create({ ...holder("bob", 20), since: Date.now() });
    await lock.remove(id!);
    expect((await lock.read())?.id).toBe(other);
    const deletes = fake.requests.filter((r) => r.method === "DELETE");
    expect(deletes.map((r) => r.status)).toEqual([200, 409]);
  });

  it("a Lease not renewed for longer than the TTL is taken over, and the takeover is reported", async () => {
    const old = new Date(Date.now() - 60_000).toISOString();
    const dead = { ...holder("dead", 30), since: Date.parse(old) };
    await api.request("POST", LEASES, {
      body: {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "dray-deploy-shop", annotations: { [LEASE_HOLDER]: JSON.stringify(dead) } },
        spec: { holderIdentity: "dead@ci-30 pid 30", renewTime: old.replace("Z", "000Z") },
      },
    });
    const lines: string[] = [];
    const held = await acquireTargetLock(leaseLock(api, "shop", "shop"), {
      holder: holder("next", 40),
      waitMs: 0,
      notice: (line) => lines.push(line),
    });
    expect(spec()?.["holderIdentity"]).toBe("next@ci-40 pid 40");
    expect(lines).toEqual([
      expect.stringMatching(
        /^took over the deploy lock of target prod from dead@ci-30 \(pid 30, .*\): it was last renewed 60s ago, and a lock not renewed for 30s has expired$/,
      ),
    ]);
    await held.release();
  });

  it("a renewal of a Lease taken over in the meantime fails, and leaves the new holder's Lease alone", async () => {
    const lock = leaseLock(api, "shop", "shop");
    const id = await lock.create({ ...holder("alice", 10), since: Date.now() });
    await lock.remove(id!);
    const other = await lock.create({ ...holder("bob", 20), since: Date.now() });
    expect(await lock.renew(id!)).toBe(false);
    expect((await lock.read())?.id).toBe(other);
    expect(spec()?.["holderIdentity"]).toBe("bob@ci-20 pid 20");
  });

  it("runs the target's checks before its first write: a failing check writes nothing", async () => {
    const lock = leaseLock(api, "shop", "shop", {
      before: () => Promise.reject(new UserError("not allowed to deploy to namespace shop")),
    });
    await expect(lock.create({ ...holder("alice", 10), since: Date.now() })).rejects.toThrow(/not allowed/);
    expect(fake.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });
});
