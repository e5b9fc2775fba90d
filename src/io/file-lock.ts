/**
 * A lock file shared by every dray process on the machine: the OCI layout's index.json, the build
 * cache's bookkeeping files, one deploy per target.
 *
 * The file holds a JSON record: the holder's pid and host, a random token for this acquisition and
 * whatever fields the caller adds (who deploys what). It appears complete or not at all: the record
 * is written to a file of its own and hard-linked into place, which fails if the lock exists.
 * The pid lets a waiter on the same host take over the lock of a process that died; the token lets
 * a holder release only its own lock.
 *
 * Taking over a stale lock never deletes it (a delete-and-retry lets two waiters both delete and
 * both acquire). A waiter first claims that exact stale content by creating `<lock>.claim-<hash>`
 * exclusively, then renames its claim over the lock: of all waiters that saw the same dead holder,
 * exactly one creates the claim, and the lock is replaced in one rename, never absent.
 */
import { createHash, randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError, withFileSystemFault } from "../errors/index.js";

/** Fields a caller stores with its lock, shown to whoever finds it held; pid, host and token are the lock's own. */
export type LockFields = Record<string, string | number | boolean> & {
  pid?: never;
  host?: never;
  token?: never;
};

/** What a lock file says about its holder. */
export interface LockRecord {
  pid: number;
  /** Missing in a lock written by hand or by an older dray; such a lock is taken to be this machine's. */
  host?: string;
  /** Missing in a lock written by hand. */
  token?: string;
  /** The caller's fields (anything else in the file). */
  fields: Record<string, unknown>;
}

/** How to acquire a lock. */
export interface AcquireOptions {
  /** How long to wait for a live holder (default 30 s); 0 tries once, after taking over a stale lock. */
  timeoutMs?: number;
  /** Stops the wait early; the attempt then fails like a timeout. */
  signal?: AbortSignal;
  /** Stored in the lock file for other waiters to read. */
  fields?: LockFields;
  /** Whether a process on this host is running; replaceable so tests can declare a holder dead. */
  isAlive?: (pid: number) => boolean;
}

/** A lock this process holds. */
export interface HeldLock {
  readonly file: string;
  /** Removes the lock file if it is still this acquisition's; never removes a lock someone else took. */
  release(): Promise<void>;
}

/** The outcome of an attempt: the lock, or what the file said about its holder when the wait ended. */
export type LockAttempt =
  | { acquired: true; lock: HeldLock }
  | { acquired: false; holder: LockRecord | undefined };

/** A lock file that is not a record (written by hand, or cut short) is left alone this long. */
const UNPARSEABLE_STALE_MS = 5_000;

/** Takes the lock at `file`, waiting up to `timeoutMs` for a live holder; takes over a dead holder's lock. */
export async function acquireFileLock(file: string, options: AcquireOptions = {}): Promise<LockAttempt> {
  const isAlive = options.isAlive ?? processIsAlive;
  const token = randomBytes(8).toString("hex");
  const mine = `${JSON.stringify({ pid: process.pid, host: os.hostname(), token, ...options.fields })}\n`;
  // The complete record, linked into place below; named after the lock so the lock's directory
  // shows what it belongs to if a crash leaves it behind.
  const draft = `${file}.new-${token}`;
  await writeFile(draft, mine, { flag: "wx" }).catch(async (error: unknown) => {
    // A disk that fills up mid-write leaves a cut-off draft behind: nothing may keep it.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") await unlink(draft).catch(() => undefined);
    throw withFileSystemFault(error, { path: file, writing: true });
  });
  const held: HeldLock = { file, release: () => removeIfHolding(file, mine) };
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      if (await createExclusive(draft, file, mine)) return { acquired: true, lock: held };
      const seen = await readIfPresent(file);
      if (seen === undefined) continue; // released meanwhile: try again at once
      if (
        (await isStale(file, parseLockRecord(seen), isAlive)) &&
        (await takeOver(file, seen, draft, mine, isAlive))
      )
        return { acquired: true, lock: held };
      if (Date.now() >= deadline || options.signal?.aborted) {
        // Read again: a takeover that lost names the waiter that won, not the dead holder.
        const now = await readIfPresent(file);
        if (now === undefined) continue;
        return { acquired: false, holder: parseLockRecord(now) };
      }
      // Exponential backoff with jitter, so waiting processes do not retry in lockstep.
      await sleep(Math.min(200, 5 * 2 ** attempt) + Math.random() * 10);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/** Callers in this process queue here, so they do not poll a lock file held by their own process. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` while holding `lockPath`; waits (bounded by `timeoutMs`, default 30 s) for other holders first. */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const attempt = await acquireFileLock(lockPath, { timeoutMs });
      if (!attempt.acquired) {
        throw new UserError(`timed out after ${timeoutMs} ms waiting for ${lockPath}`, {
          hint: "another dray process is writing to the same image layout; if none is running, delete the lock file",
        });
      }
      try {
        return await fn();
      } finally {
        await attempt.lock.release();
      }
    });
  queues.set(lockPath, run);
  try {
    return await run;
  } finally {
    if (queues.get(lockPath) === run) queues.delete(lockPath);
  }
}

/**
 * Replaces the stale lock `seen` at `file` with this waiter's record; true when it did. Of several
 * waiters that saw the same `seen`, at most one succeeds.
 */
async function takeOver(
  file: string,
  seen: string,
  draft: string,
  mine: string,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  const claim = claimFile(file, seen);
  if (!(await createExclusive(draft, claim, mine))) {
    // Another waiter is taking over; its claim is ours to take over only if it died doing so.
    const claimed = await readIfPresent(claim);
    if (claimed === undefined || !(await isStale(claim, parseLockRecord(claimed), isAlive))) return false;
    if (!(await takeOver(claim, claimed, draft, mine, isAlive))) return false;
  }
  // While the claim exists only its holder replaces `seen`: the dead holder cannot release it, no
  // other waiter can claim it, and no one creates a lock file that exists. A lock that is no longer
  // `seen` changed before the claim, and is not stale on this waiter's evidence.
  if ((await readIfPresent(file)) !== seen) {
    await removeIfHolding(claim, mine);
    return false;
  }
  await rename(claim, file);
  return true;
}

/** Where a waiter claims the takeover of a lock file whose content is `seen`. */
export function claimFile(file: string, seen: string): string {
  return `${file}.claim-${createHash("sha256").update(seen).digest("hex").slice(0, 16)}`;
}

/**
 * Creates `target` holding `content` if it does not exist; false if it does. A hard link from the
 * finished `draft` publishes the record whole; where the file system has no hard links, an
 * exclusive create and a write are the fallback (a reader may then see it empty for a moment).
 */
async function createExclusive(draft: string, target: string, content: string): Promise<boolean> {
  try {
    await link(draft, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw error;
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(target, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

/** Removes `file` if it still holds `content`; a lock taken over by another waiter stays. */
async function removeIfHolding(file: string, content: string): Promise<void> {
  // Never throws: a release runs in `finally` blocks, where an error would hide the caller's own.
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current === content) await unlink(file).catch(() => undefined);
}

/** Whether the holder of `file` is gone: a dead pid on this host, or an unreadable record left for long. */
async function isStale(
  file: string,
  holder: LockRecord | undefined,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  if (holder === undefined) {
    const info = await stat(file).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > UNPARSEABLE_STALE_MS;
  }
  // A process on another machine cannot be checked from here; its lock waits for it.
  if (holder.host !== undefined && holder.host !== os.hostname()) return false;
  return !isAlive(holder.pid);
}

/** The record in a lock file's text: dray's JSON, or the "<pid> <token>" line older versions wrote. */
export function parseLockRecord(text: string): LockRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const [pid, token] = text.trim().split(" ");
    const number = Number(pid);
    return Number.isSafeInteger(number) && number > 0 && token
      ? { pid: number, token, fields: {} }
      : undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { pid, host, token, ...fields } = parsed as Record<string, unknown>;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    ...(typeof host === "string" ? { host } : {}),
    ...(typeof token === "string" ? { token } : {}),
    fields,
  };
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Whether a process with this pid runs on this machine, in this pid namespace (EPERM: it does, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
