/**
 * The deploy lock every deployer of a target sees: an object in the target itself (a container on
 * a Docker engine, a config in a swarm, a Lease in a Kubernetes namespace), created atomically by
 * name, naming its holder, renewed while the deploy runs and removed at the end.
 *
 * Each target implements the few operations of TargetLock on its own kind of object; the waiting,
 * the heartbeat and the takeover of a lock whose holder is gone are here, once. A lock is the
 * holder's as long as it renews it: one not renewed for `ttlMs` (on the target's clock, so that
 * the clocks of the deployers do not matter), or whose holder's process is known to be gone, is
 * taken over, and the takeover is reported.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { interruptedError, UserError } from "../errors/index.js";
import { processIsAlive } from "../io/index.js";
import { describeHolder, type LockHolder } from "./lock-holder.js";

/** The lock object as the target holds it now. */
export interface LockState {
  /** The object's identity on the target (container ID, config ID, Lease UID): a takeover makes a new one. */
  readonly id: string;
  /** Undefined when the object carries no record dray can read. */
  readonly holder: LockHolder | undefined;
  /** When it was created or last renewed: ms since the epoch, on the target's clock. */
  readonly renewedAt: number;
}

/** One project's deploy lock on one target: the operations a target implements on its lock object. */
export interface TargetLock {
  /** Where the lock lives, for messages: "container dray-lock-shop on unix:///var/run/docker.sock". */
  readonly where: string;
  /** Creates the lock naming `holder`, atomically; its id, or undefined when the lock exists. */
  create(holder: LockHolder): Promise<string | undefined>;
  /** The lock as it is now; undefined when nobody holds it. */
  read(): Promise<LockState | undefined>;
  /** Marks lock `id` renewed now; false when `id` is gone (the lock was taken over). */
  renew(id: string): Promise<boolean>;
  /** Removes lock `id`; a lock with another id (someone else's) is left alone. */
  remove(id: string): Promise<void>;
  /** The target's clock: ms since the epoch. */
  now(): number;
}

/** A lock a holder stops renewing is taken over this long after its last renewal. */
export const LOCK_TTL_MS = 30_000;
/** How often a holder renews: three chances within the TTL. */
export const LOCK_RENEW_MS = 10_000;

export interface AcquireTargetLockOptions {
  /** This process, as the lock will name it (`since` is set when the lock is created). */
  holder: Omit<LockHolder, "since">;
  /** How long to wait for a live holder; 0 tries once (after taking over a stale lock). */
  waitMs: number;
  signal?: AbortSignal;
  /** Progress a person should see: waiting behind someone, a takeover, a lost lock. */
  notice: (line: string) => void;
  /** Called once if the lock is lost while held (taken over, or unreachable for a whole TTL). */
  onLost?: (why: string) => void;
  ttlMs?: number;
  renewMs?: number;
  /** Whether a process of this pid space runs; replaceable so tests can declare a holder dead. */
  isAlive?: (pid: number) => boolean;
}

/** A target lock this process holds. */
export interface HeldTargetLock {
  readonly holder: LockHolder;
  /** Stops renewing and removes the lock if it is still this holder's; never throws. */
  release(): Promise<void>;
}

/** Takes `lock`, waiting up to `waitMs` for a live holder and taking over a stale one. */
export async function acquireTargetLock(
  lock: TargetLock,
  options: AcquireTargetLockOptions,
): Promise<HeldTargetLock> {
  const ttlMs = options.ttlMs ?? LOCK_TTL_MS;
  const isAlive = options.isAlive ?? processIsAlive;
  const deadline = Date.now() + options.waitMs;
  const target = options.holder.target;
  let announced = false;
  let takeover: string | undefined;
  let vanished = 0;
  for (let attempt = 0; ; attempt++) {
    const holder: LockHolder = { ...options.holder, since: lock.now() };
    const id = await lock.create(holder);
    if (id !== undefined) {
      if (takeover) options.notice(takeover);
      return hold(lock, id, holder, options, ttlMs);
    }
    takeover = undefined;
    const state = await lock.read();
    if (!state) {
      // Released between the create and the read: try again at once, but not forever.
      if (++vanished > 20) throw new Error(`the deploy lock ${lock.where} can be neither created nor read`);
      continue;
    }
    const why = staleness(state, lock.now(), ttlMs, options.holder.pidSpace, isAlive);
    if (why) {
      // Removed by its id: if another waiter took it over first, that new lock stays.
      await lock.remove(state.id);
      takeover = `took over the deploy lock of target ${target} from ${describeHolder(state.holder)}: ${why}`;
      continue;
    }
    if (options.signal?.aborted)
      throw interruptedError(
        `nothing deployed; the deploy lock of target ${target} is still held by ${describeHolder(state.holder)}`,
      );
    if (Date.now() >= deadline) throw heldBy(lock, state, target, ttlMs);
    if (!announced) {
      announced = true;
      options.notice(
        `waiting for the deploy lock of target ${target}, held by ${describeHolder(state.holder)} (${lock.where})`,
      );
    }
    await sleep(
      Math.min(1000, 50 * 2 ** attempt) + Math.random() * 50,
      undefined,
      options.signal ? { signal: options.signal } : {},
    ).catch(() => undefined);
  }
}

/** Why the lock's holder is gone, or undefined while it holds the lock. */
export function staleness(
  state: LockState,
  now: number,
  ttlMs: number,
  pidSpace: string | undefined,
  isAlive: (pid: number) => boolean,
): string | undefined {
  const holder = state.holder;
  if (holder?.pidSpace !== undefined && holder.pidSpace === pidSpace && !isAlive(holder.pid))
    return `its process (pid ${holder.pid}) is gone`;
  const age = now - state.renewedAt;
  if (age > ttlMs)
    return `it was last renewed ${seconds(age)} ago, and a lock not renewed for ${seconds(ttlMs)} has expired`;
  return undefined;
}

function heldBy(lock: TargetLock, state: LockState, target: string, ttlMs: number): UserError {
  const age = Math.max(0, lock.now() - state.renewedAt);
  return new UserError(
    `another deploy to target ${target} is running: ${describeHolder(state.holder)}, last renewed ${seconds(age)} ago`,
    {
      hint: `Wait for it to finish, or pass --lock-wait 5m to queue behind it. The lock is ${lock.where}; a holder that stops renewing it loses it ${seconds(ttlMs)} after its last renewal.`,
    },
  );
}

/** Renews the lock every `renewMs` until released; reports a lock lost to a takeover once. */
function hold(
  lock: TargetLock,
  id: string,
  holder: LockHolder,
  options: AcquireTargetLockOptions,
  ttlMs: number,
): HeldTargetLock {
  let lost = false;
  let lastRenewed = Date.now();
  let renewing: Promise<void> | undefined;
  const loseWith = (why: string) => {
    if (lost) return;
    lost = true;
    clearInterval(timer);
    options.notice(`lost the deploy lock of target ${holder.target}: ${why}`);
    options.onLost?.(why);
  };
  const renew = async () => {
    try {
      if (await lock.renew(id)) lastRenewed = Date.now();
      else {
        const now = await lock.read().catch(() => undefined);
        loseWith(`it was taken over by ${describeHolder(now?.holder)}`);
      }
    } catch (error) {
      if (Date.now() - lastRenewed > ttlMs)
        loseWith(`it could not be renewed for ${seconds(ttlMs)}: ${(error as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
  }, options.renewMs ?? LOCK_RENEW_MS);
  // The heartbeat alone never keeps the process running.
  timer.unref();
  return {
    holder,
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost) return;
      lost = true;
      await lock.remove(id).catch((error: unknown) => {
        options.notice(
          `could not remove the deploy lock ${lock.where} (${(error as Error).message}); it expires ${seconds(ttlMs)} after its last renewal`,
        );
      });
    },
  };
}

function seconds(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}m`;
}
