import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireFileLock, claimFile, type HeldLock, parseLockRecord, withFileLock } from "./file-lock.js";

/** A pid far above the kernel's default pid_max: no process has it. */
const DEAD_PID = 4_194_999;

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "dray-file-lock-"));
  lock = path.join(dir, "x.lock");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const staleRecord = (token: string) =>
  JSON.stringify({ pid: DEAD_PID, host: os.hostname(), token, user: "gone" });

async function holder(): Promise<ReturnType<typeof parseLockRecord>> {
  return parseLockRecord(await readFile(lock, "utf8"));
}

function held(attempt: Awaited<ReturnType<typeof acquireFileLock>>): HeldLock {
  if (!attempt.acquired) throw new Error("expected the lock to be acquired");
  return attempt.lock;
}

describe("acquireFileLock", () => {
  it("stores pid, host, token and the caller's fields, and release removes the file", async () => {
    const first = held(await acquireFileLock(lock, { fields: { user: "ana", since: 5 } }));
    expect(await holder()).toEqual({
      pid: process.pid,
      host: os.hostname(),
      token: expect.stringMatching(/^[0-9a-f]{16}$/),
      fields: { user: "ana", since: 5 },
    });
    await first.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails after the timeout while a live process holds the lock, naming that holder", async () => {
    const first = held(await acquireFileLock(lock, { fields: { user: "ana" } }));
    const started = Date.now();
    const second = await acquireFileLock(lock, { timeoutMs: 150 });
    expect(second).toEqual({ acquired: false, holder: await holder() });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    if (!second.acquired) expect(second.holder?.fields).toEqual({ user: "ana" });
    await first.release();
  });

  it("queues waiters: each gets the lock in turn, never two at once", async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const mine = held(await acquireFileLock(lock, { timeoutMs: 10_000 }));
        most = Math.max(most, ++inside);
        await sleep(5);
        inside--;
        await mine.release();
      }),
    );
    expect(most).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it("lets exactly one of many concurrent waiters take over a stale lock, round after round", async () => {
    for (let round = 0; round < 40; round++) {
      await writeFile(lock, staleRecord(`dead${round}`));
      const attempts = await Promise.all(
        Array.from({ length: 8 }, () => acquireFileLock(lock, { timeoutMs: 0 })),
      );
      const winners = attempts.filter((a) => a.acquired);
      expect(winners, `round ${round}`).toHaveLength(1);
      expect((await holder())?.pid).toBe(process.pid);
      await held(winners[0]!).release();
      expect(await readdir(dir), `round ${round}`).toEqual([]);
    }
  });

  it("never removes a lock on release once another waiter has taken it over", async () => {
    const first = held(await acquireFileLock(lock));
    const firstText = await readFile(lock, "utf8");
    // The second waiter believes the first is dead, as it would after a crash.
    const second = held(await acquireFileLock(lock, { timeoutMs: 0, isAlive: () => false }));
    const taken = await readFile(lock, "utf8");
    expect(taken).not.toBe(firstText);
    await first.release();
    expect(await readFile(lock, "utf8")).toBe(taken);
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    {
      description: "a lock held on another host, even with a pid that is dead here",
      content: JSON.stringify({ pid: DEAD_PID, host: "elsewhere", token: "t" }),
    },
    { description: "an unreadable lock file written a moment ago", content: "garbage" },
  ])("leaves alone $description", async ({ content }) => {
    await writeFile(lock, content);
    const attempt = await acquireFileLock(lock, { timeoutMs: 0 });
    expect(attempt.acquired).toBe(false);
    expect(await readFile(lock, "utf8")).toBe(content);
    expect(await readdir(dir)).toEqual(["x.lock"]);
  });

  it.each([
    { description: "an unreadable lock file left for long", content: "garbage", age: 60_000 },
    { description: "the '<pid> <token>' line of older versions", content: `${DEAD_PID} abc\n`, age: 0 },
    { description: "a lock written by hand without a token", content: `{"pid":${DEAD_PID}}`, age: 0 },
  ])("takes over $description", async ({ content, age }) => {
    await writeFile(lock, content);
    const then = new Date(Date.now() - age);
    await utimes(lock, then, then);
    const lockHeld = held(await acquireFileLock(lock, { timeoutMs: 0 }));
    expect((await holder())?.pid).toBe(process.pid);
    await lockHeld.release();
  });

  it("takes over the claim of a waiter that died while taking over the lock", async () => {
    const stale = staleRecord("dead");
    await writeFile(lock, stale);
    await writeFile(claimFile(lock, stale), staleRecord("died-claiming"));
    const lockHeld = held(await acquireFileLock(lock, { timeoutMs: 0 }));
    expect((await holder())?.pid).toBe(process.pid);
    await lockHeld.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("waits while a live waiter holds the claim on a stale lock", async () => {
    const stale = staleRecord("dead");
    await writeFile(lock, stale);
    const claim = JSON.stringify({ pid: process.pid, host: os.hostname(), token: "claiming" });
    await writeFile(claimFile(lock, stale), claim);
    expect((await acquireFileLock(lock, { timeoutMs: 0 })).acquired).toBe(false);
    expect(await readFile(lock, "utf8")).toBe(stale);
  });
});

describe("withFileLock", () => {
  it("runs callers in this process one after the other and returns their results", async () => {
    const order: string[] = [];
    const results = await Promise.all(
      ["a", "b", "c"].map((name) =>
        withFileLock(lock, async () => {
          order.push(`${name} in`);
          await sleep(5);
          order.push(`${name} out`);
          return name;
        }),
      ),
    );
    expect(results).toEqual(["a", "b", "c"]);
    expect(order).toEqual(["a in", "a out", "b in", "b out", "c in", "c out"]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("fails with a user error when another process keeps the lock past the timeout", async () => {
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: "other" }));
    await expect(withFileLock(lock, async () => "never", { timeoutMs: 50 })).rejects.toThrow(
      `timed out after 50 ms waiting for ${lock}`,
    );
  });
});
