import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDeployLock, lockDeploy, lockPath } from "./deploy-lock.js";
import type { LockState, TargetLock } from "./target-lock.js";

describe("deploy lock", () => {
  let root: string;
  let locks: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "dray-lock-"));
    locks = path.join(root, ".dray", "locks");
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("is exclusive: a second taker fails naming the holder, and can take it after release", async () => {
    const first = await acquireDeployLock(locks, "local", { waitMs: 0 });
    const holder = JSON.parse(await readFile(lockPath(locks, "local"), "utf8"));
    expect(holder.pid).toBe(process.pid);
    await expect(acquireDeployLock(locks, "local", { waitMs: 0 })).rejects.toThrow(
      new RegExp(`another deploy to target local is running: .*pid ${process.pid}`),
    );
    await first.release();
    const second = await acquireDeployLock(locks, "local", { waitMs: 0 });
    await second.release();
  });

  it("locks each target separately", async () => {
    const a = await acquireDeployLock(locks, "local", { waitMs: 0 });
    const b = await acquireDeployLock(locks, "staging", { waitMs: 0 });
    const holders = await Promise.all(
      ["local", "staging"].map(async (t) => JSON.parse(await readFile(lockPath(locks, t), "utf8"))),
    );
    expect(holders.map((h) => h.pid)).toEqual([process.pid, process.pid]);
    expect(holders[0].token).not.toBe(holders[1].token);
    // Holding one target's lock does not keep the other's from being released and taken again.
    await b.release();
    const again = await acquireDeployLock(locks, "staging", { waitMs: 0 });
    await expect(acquireDeployLock(locks, "local", { waitMs: 0 })).rejects.toThrow(/target local is running/);
    await Promise.all([a.release(), again.release()]);
    expect(await readdir(path.dirname(lockPath(locks, "local")))).toEqual([]);
  });

  it("waits for the holder to release when asked to", async () => {
    const first = await acquireDeployLock(locks, "local", { waitMs: 0 });
    const firstHolder = await readFile(lockPath(locks, "local"), "utf8");
    const started = Date.now();
    setTimeout(() => void first.release(), 300);
    const second = await acquireDeployLock(locks, "local", { waitMs: 5000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const secondHolder = await readFile(lockPath(locks, "local"), "utf8");
    expect(secondHolder).not.toBe(firstHolder);
    expect(JSON.parse(secondHolder).pid).toBe(process.pid);
    await second.release();
    await expect(readFile(lockPath(locks, "local"), "utf8")).rejects.toThrow(/ENOENT/);
  });

  it("takes over a lock whose holder on this machine is gone", async () => {
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.dirname(lockPath(locks, "local")), { recursive: true });
    // A pid far above the kernel's default pid_max: no process has it.
    const stale = { pid: 4_194_999, host: os.hostname(), user: "x", command: "deploy", since: 0 };
    await writeFile(lockPath(locks, "local"), JSON.stringify(stale));
    const lock = await acquireDeployLock(locks, "local", { waitMs: 0 });
    expect(JSON.parse(await readFile(lockPath(locks, "local"), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("lockDeploy takes only the local lock until lockTarget; the target's lock is created then, and released with it", async () => {
    const { lock, writes } = memoryLock();
    const options = { waitMs: 0, project: "shop", lock, notice: () => {}, onLost: () => {} };
    const noop = await lockDeploy(locks, "prod", options);
    await noop.release();
    expect(writes).toEqual([]);

    const changing = await lockDeploy(locks, "prod", options);
    await changing.lockTarget();
    await changing.lockTarget();
    expect(writes).toEqual(["create"]);
    // Another deployer (elsewhere: its own local lock) finds the target's lock held.
    const elsewhere = await lockDeploy(path.join(root, "other"), "prod", options);
    await expect(elsewhere.lockTarget()).rejects.toThrow(/another deploy to target prod is running/);
    await elsewhere.release();
    await changing.release();
    expect(writes).toEqual(["create", "remove"]);
    expect(await lock.read()).toBeUndefined();
    // Both local locks are free again.
    await (await acquireDeployLock(locks, "prod", { waitMs: 0 })).release();
  });

  it("lockTarget may wait what the local lock left of waitMs, however long the build between the two took", async () => {
    const { lock, writes } = memoryLock();
    const options = { project: "shop", lock, notice: () => {}, onLost: () => {} };
    // Another deployer holds the target's lock, and lets go of it 200 ms after this one asks.
    const elsewhere = await lockDeploy(path.join(root, "other"), "prod", { ...options, waitMs: 0 });
    await elsewhere.lockTarget();
    const changing = await lockDeploy(locks, "prod", { ...options, waitMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 1800)); // the build, longer than waitMs
    setTimeout(() => void elsewhere.release(), 200);
    await changing.lockTarget();
    // The other's lock was removed by its release, then this one's created.
    expect(writes).toEqual(["create", "remove", "create"]);
    await changing.release();
    expect(await lock.read()).toBeUndefined();
  });
});

/** A TargetLock in memory that records its writes. */
function memoryLock(): { lock: TargetLock; writes: string[] } {
  const writes: string[] = [];
  let state: LockState | undefined;
  let next = 0;
  const lock: TargetLock = {
    where: "memory",
    now: () => Date.now(),
    async create(holder) {
      if (state) return undefined;
      writes.push("create");
      state = { id: String(++next), holder, renewedAt: Date.now() };
      return state.id;
    },
    async read() {
      return state;
    },
    async renew(id) {
      if (state?.id !== id) return false;
      state = { ...state, renewedAt: Date.now() };
      return true;
    },
    async remove(id) {
      if (state?.id !== id) return;
      writes.push("remove");
      state = undefined;
    },
  };
  return { lock, writes };
}
