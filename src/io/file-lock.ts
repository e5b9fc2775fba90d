/**
 * A lock file shared by every dray process on the machine, for read-modify-write of a layout's index.json.
 * The file is created with O_EXCL and holds "<pid> <token>": the pid lets a waiter break the lock of a
 * process that died, the token lets the holder make sure it only ever removes its own lock.
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "../errors/errors.js";

/** How long to wait for a lock held by a live process. */
export interface LockOptions {
  timeoutMs?: number;
}

/** A lock file that is empty or unreadable for this long belongs to a process that died while creating it. */
const UNPARSEABLE_STALE_MS = 5_000;

/** Callers in this process queue here, so they do not poll a lock file held by their own process. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` while holding `lockPath`; waits (bounded by `timeoutMs`, default 30 s) for other holders first. */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const token = await acquire(lockPath, options.timeoutMs ?? 30_000);
      try {
        return await fn();
      } finally {
        await release(lockPath, token);
      }
    });
  queues.set(lockPath, run);
  try {
    return await run;
  } finally {
    if (queues.get(lockPath) === run) queues.delete(lockPath);
  }
}

async function acquire(lockPath: string, timeoutMs: number): Promise<string> {
  const content = `${process.pid} ${randomBytes(8).toString("hex")}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return content;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (await breakIfStale(lockPath)) continue;
    if (Date.now() >= deadline) {
      throw new UserError(`timed out after ${timeoutMs} ms waiting for ${lockPath}`, {
        hint: "another dray process is writing to the same image layout; if none is running, delete the lock file",
      });
    }
    // Exponential backoff with jitter, so waiting processes do not retry in lockstep.
    await sleep(Math.min(200, 5 * 2 ** attempt) + Math.random() * 10);
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  const current = await readFile(lockPath, "utf8").catch(() => undefined);
  if (current === token) await unlink(lockPath).catch(() => undefined);
}

/** Removes the lock if its holder is dead; true when the caller should try to take it again at once. */
async function breakIfStale(lockPath: string): Promise<boolean> {
  const content = await readFile(lockPath, "utf8").catch(() => undefined);
  if (content === undefined) return true; // released meanwhile
  const pid = Number.parseInt(content, 10);
  const stale =
    Number.isSafeInteger(pid) && pid > 0 ? !isAlive(pid) : await olderThan(lockPath, UNPARSEABLE_STALE_MS);
  if (!stale) return false;

  // Rename first: of several waiters that saw the same dead pid, exactly one moves the file, and it can
  // check that what it moved is still the dead process's lock and not a fresh one taken meanwhile.
  const aside = `${lockPath}.stale-${randomBytes(8).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return true;
  }
  const moved = await readFile(aside, "utf8").catch(() => undefined);
  if (moved !== content) {
    // A live holder's lock: put it back unless someone else has taken the lock in between.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > ms;
}
