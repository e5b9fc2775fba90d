/**
 * One deploy per target at a time. First the machine-wide file lock (io/file-lock.ts), with the
 * holder's user, command and start time stored in it: the fast path, which settles two deploys
 * from one checkout without asking the target. Then, only once the deploy has something to change,
 * the target's own lock (target-lock.ts), which every deployer of the target sees, from any
 * checkout and any machine. A holder whose process is
 * gone left a stale lock, which is taken over. A second `dray deploy` waits up to `waitMs` in all,
 * then fails naming who holds the lock.
 */
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UserError } from "../errors/index.js";
import { acquireFileLock, type LockRecord } from "../io/index.js";
import { thisHolder } from "./lock-holder.js";
import { acquireTargetLock, type HeldTargetLock, type TargetLock } from "./target-lock.js";

/** A deploy lock this process holds. */
export interface DeployLock {
  release(): Promise<void>;
}

/** Where the lock of `target` lives in the project's locks folder (`.dray/locks`). */
export function lockPath(locksDir: string, target: string): string {
  return path.join(locksDir, `deploy-${target}.lock`);
}

/** Takes the lock of `target`, waiting up to `waitMs` for another holder to finish. */
export async function acquireDeployLock(
  locksDir: string,
  target: string,
  options: { waitMs: number; signal?: AbortSignal },
): Promise<DeployLock> {
  const file = lockPath(locksDir, target);
  await mkdir(path.dirname(file), { recursive: true });
  const attempt = await acquireFileLock(file, {
    timeoutMs: options.waitMs,
    ...(options.signal ? { signal: options.signal } : {}),
    fields: {
      user: os.userInfo().username,
      command: process.argv.slice(2).join(" "),
      since: Date.now(),
    },
  });
  if (attempt.acquired) return { release: () => attempt.lock.release() };
  throw new UserError(`another deploy to target ${target} is running: ${describeHolder(attempt.holder)}`, {
    hint: `Wait for it to finish, or pass --lock-wait 5m to queue behind it. If no such process runs, remove ${file}.`,
  });
}

/** "user@host (pid 1, `dray deploy`, since <ISO time>)" from what the lock file says. */
function describeHolder(holder: LockRecord | undefined): string {
  if (!holder) return "another dray process";
  const { user, command, since } = holder.fields;
  const date = new Date(typeof since === "number" ? since : Number.NaN);
  const started = Number.isNaN(date.getTime()) ? String(since) : date.toISOString();
  return `${user}@${holder.host} (pid ${holder.pid}, \`dray ${command}\`, since ${started})`;
}

/** What the target's lock needs besides the file lock's settings. */
export interface TargetLockOptions {
  project: string;
  /** The target's lock; undefined for a target that has none (the file lock alone then). */
  lock: TargetLock | undefined;
  /** Waiting, takeovers and a lost lock, for the user. */
  notice: (line: string) => void;
  /** The lock was lost while held: start nothing new. */
  onLost: (why: string) => void;
}

/** The local lock of a deploy, to which the target's own lock is added once the deploy will write. */
export interface LocalDeployLock extends DeployLock {
  /**
   * Takes the target's own lock too, waiting at most what the local lock left of `waitMs`; released with the local
   * one. A deploy that changes nothing never calls it, so it writes nothing to the target.
   */
  lockTarget(): Promise<void>;
}

/**
 * Takes the local file lock of `target` (the fast path: two deploys from one checkout never reach
 * the target); `lockTarget` then takes the target's own lock, the two waiting at most `waitMs` in all.
 */
export async function lockDeploy(
  locksDir: string,
  target: string,
  options: { waitMs: number; signal?: AbortSignal } & TargetLockOptions,
): Promise<LocalDeployLock> {
  const started = Date.now();
  const local = await acquireDeployLock(locksDir, target, options);
  // Only time spent waiting counts against waitMs: the build may run between the two locks.
  const waitedMs = Date.now() - started;
  let held: HeldTargetLock | undefined;
  return {
    async lockTarget() {
      if (!options.lock || held) return;
      held = await acquireTargetLock(options.lock, {
        holder: thisHolder(options.project, target),
        waitMs: Math.max(0, options.waitMs - waitedMs),
        ...(options.signal ? { signal: options.signal } : {}),
        notice: options.notice,
        onLost: options.onLost,
      });
    },
    async release() {
      try {
        await held?.release();
      } finally {
        await local.release();
      }
    },
  };
}
