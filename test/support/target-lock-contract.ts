/**
 * What every TargetLock must do, checked against a real target: an atomic create by name that a
 * second create cannot repeat, a record read back whole, renewals that move the renewal time on the
 * target's clock, and removal only by the lock's own id.
 */
import { expect } from "vitest";
import type { LockHolder } from "../../src/deploy/lock-holder.js";
import type { TargetLock } from "../../src/deploy/target-lock.js";

function holder(lock: TargetLock, pid: number): LockHolder {
  return {
    user: "ci",
    host: `runner-${pid}`,
    pid,
    pidSpace: "contract",
    project: "contract",
    target: "contract",
    command: "deploy",
    since: lock.now(),
    token: `token-${pid}`,
  };
}

/** Runs the contract on `lock`, which must not be held when it starts; leaves it not held. */
export async function checkTargetLockContract(lock: TargetLock): Promise<void> {
  expect(await lock.read()).toBeUndefined();
  const holders = [holder(lock, 1), holder(lock, 2)];
  // Two creates at once: exactly one gets the lock, and the lock names that one.
  const created = await Promise.all(holders.map((h) => lock.create(h)));
  expect(created.filter((c) => c !== undefined)).toHaveLength(1);
  const winner = created[0] !== undefined ? 0 : 1;
  const id = created[winner];
  const first = holders[winner]!;
  const state = await lock.read();
  expect(state?.id).toBe(id);
  expect(state?.holder).toEqual(first);
  // The renewal time is on the target's clock: close to `now()`, whatever this machine's clock says.
  expect(Math.abs(state!.renewedAt - lock.now())).toBeLessThan(5_000);

  await new Promise((resolve) => setTimeout(resolve, 1_100));
  expect(await lock.renew(id!)).toBe(true);
  const renewed = await lock.read();
  expect(renewed!.renewedAt).toBeGreaterThan(state!.renewedAt);
  expect(renewed!.holder).toEqual(first);

  // Another id (a lock taken over) is neither renewed nor removed.
  await lock.remove("0123456789ab");
  expect((await lock.read())?.id).toBe(id);
  await lock.remove(id!);
  expect(await lock.read()).toBeUndefined();
  expect(await lock.renew(id!)).toBe(false);
  // And it can be taken again.
  const again = await lock.create(holder(lock, 3));
  expect(again).toBeDefined();
  expect(again).not.toBe(id);
  await lock.remove(again!);
}
