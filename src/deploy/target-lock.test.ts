import { describe, expect, it } from "vitest";
import type { LockHolder } from "./lock-holder.js";
import { acquireTargetLock, type LockState, type TargetLock } from "./target-lock.js";

/** A lock object in memory, with the atomic create-by-name a target gives, and a clock the test moves. */
function memoryLock(clock = { now: 1_000_000 }) {
  let current: LockState | undefined;
  let ids = 0;
  const lock: TargetLock & { state(): LockState | undefined } = {
    where: "memory lock",
    now: () => clock.now,
    async create(holder) {
      if (current) return undefined;
      current = { id: `lock${++ids}`, holder, renewedAt: clock.now };
      return current.id;
    },
    async read() {
      return current;
    },
    async renew(id) {
      if (current?.id !== id) return false;
      current = { ...current, renewedAt: clock.now };
      return true;
    },
    async remove(id) {
      if (current?.id === id) current = undefined;
    },
    state: () => current,
  };
  return { lock, clock };
}

function holder(pid: number, overrides: Partial<LockHolder> = {}): Omit<LockHolder, "since"> {
  return {
    user: "ci",
    host: `runner-${pid}`,
    pid,
    pidSpace: `space-${pid}`,
    project: "shop",
    target: "local",
    command: "deploy",
    token: `t${pid}`,
    ...overrides,
  };
}

const quiet = { notice: () => {} };

/** Polls `done` until it holds (bounded), so a loaded machine's late timers do not fail a test. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(done()).toBe(true);
}

describe("acquireTargetLock", () => {
  it("is exclusive: a second deployer fails at once naming the holder and where the lock is", async () => {
    const { lock } = memoryLock();
    const first = await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, ...quiet });
    const error = await acquireTargetLock(lock, { holder: holder(2), waitMs: 0, ...quiet }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /^another deploy to target local is running: ci@runner-1 \(pid 1, `dray deploy`, since .*\), last renewed 0s ago$/,
    );
    expect((error as { hint: string }).hint).toMatch(/--lock-wait 5m.*The lock is memory lock; .* 30s after/);
    await first.release();
    expect(lock.state()).toBeUndefined();
  });

  it("waits for the holder when asked, says once whom it waits for, and then takes the lock", async () => {
    const { lock } = memoryLock();
    const first = await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, ...quiet });
    const notices: string[] = [];
    setTimeout(() => void first.release(), 300);
    const second = await acquireTargetLock(lock, {
      holder: holder(2),
      waitMs: 10_000,
      notice: (l) => notices.push(l),
    });
    expect(lock.state()?.holder?.pid).toBe(2);
    expect(notices).toEqual([
      expect.stringMatching(
        /^waiting for the deploy lock of target local, held by ci@runner-1 \(pid 1,.*\(memory lock\)$/,
      ),
    ]);
    await second.release();
  });

  it("stops waiting at once on Ctrl-C, as an interruption that names the holder", async () => {
    const { lock } = memoryLock();
    const first = await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, ...quiet });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await acquireTargetLock(lock, {
      holder: holder(2),
      waitMs: 60_000,
      signal: controller.signal,
      ...quiet,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(error).toMatchObject({ exitCode: 130 });
    expect((error as Error).message).toMatch(
      /^interrupted: nothing deployed; .* held by ci@runner-1 \(pid 1,/,
    );
    await first.release();
  });

  it("takes over a lock not renewed within its expiry and reports whose it was", async () => {
    const { lock, clock } = memoryLock();
    await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, ...quiet });
    const staleId = lock.state()!.id;
    clock.now += 31_000;
    const notices: string[] = [];
    const taken = await acquireTargetLock(lock, {
      holder: holder(2),
      waitMs: 0,
      notice: (l) => notices.push(l),
    });
    expect(lock.state()?.holder?.pid).toBe(2);
    expect(lock.state()?.id).not.toBe(staleId);
    expect(notices).toEqual([
      expect.stringMatching(
        /^took over the deploy lock of target local from ci@runner-1 \(pid 1, .*\): it was last renewed 31s ago, and a lock not renewed for 30s has expired$/,
      ),
    ]);
    await taken.release();
  });

  it("does not take over a live lock renewed by its heartbeat, however long the deploy takes", async () => {
    const { lock, clock } = memoryLock();
    const first = await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, renewMs: 20, ...quiet });
    for (let i = 0; i < 5; i++) {
      clock.now += 20_000;
      await until(() => lock.state()?.renewedAt === clock.now);
    }
    await expect(acquireTargetLock(lock, { holder: holder(2), waitMs: 0, ...quiet })).rejects.toThrow(
      /held|running: ci@runner-1/,
    );
    await first.release();
  });

  it("takes over at once from a holder in its own pid space whose process is gone, never from one elsewhere", async () => {
    const { lock } = memoryLock();
    await acquireTargetLock(lock, { holder: holder(1, { pidSpace: "here" }), waitMs: 0, ...quiet });
    const notices: string[] = [];
    const dead = () => false;
    const taken = await acquireTargetLock(lock, {
      holder: holder(2, { pidSpace: "here" }),
      waitMs: 0,
      isAlive: dead,
      notice: (l) => notices.push(l),
    });
    expect(notices[0]).toMatch(/from ci@runner-1 .*: its process \(pid 1\) is gone$/);
    // Holder 2 lives in pid space "here"; a waiter elsewhere cannot judge that pid and must wait.
    await expect(
      acquireTargetLock(lock, {
        holder: holder(3, { pidSpace: "elsewhere" }),
        waitMs: 0,
        isAlive: dead,
        ...quiet,
      }),
    ).rejects.toThrow(/running: ci@runner-2/);
    await taken.release();
  });

  it("lets exactly one of several waiters take over the same stale lock", async () => {
    const { lock, clock } = memoryLock();
    await acquireTargetLock(lock, { holder: holder(1), waitMs: 0, ...quiet });
    clock.now += 60_000;
    const results = await Promise.allSettled(
      [2, 3, 4, 5].map((pid) => acquireTargetLock(lock, { holder: holder(pid), waitMs: 0, ...quiet })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const winner = lock.state()!.holder!.pid;
    for (const r of results)
      if (r.status === "rejected") expect(String(r.reason)).toContain(`(pid ${winner},`);
  });

  it("reports a lock taken over while held, and its release leaves the new holder's lock alone", async () => {
    const { lock, clock } = memoryLock();
    const lost: string[] = [];
    const first = await acquireTargetLock(lock, {
      holder: holder(1),
      waitMs: 0,
      renewMs: 20,
      onLost: (why) => lost.push(why),
      ...quiet,
    });
    // The holder stalled past the expiry; another deployer took over.
    await lock.remove(lock.state()!.id);
    clock.now += 1;
    const second = await acquireTargetLock(lock, { holder: holder(2), waitMs: 0, ...quiet });
    await until(() => lost.length > 0);
    expect(lost).toEqual([expect.stringMatching(/^it was taken over by ci@runner-2 \(pid 2,/)]);
    await first.release();
    expect(lock.state()?.holder?.pid).toBe(2);
    await second.release();
  });
});
