/**
 * One deploy per target at a time. The lock is a file created exclusively (O_EXCL) that names its
 * holder; a holder on this machine whose process is gone left a stale lock, which is taken over.
 * A second `dray deploy` waits up to `waitMs`, then fails naming who holds the lock.
 */
import { mkdir, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UserError } from "../errors/errors.js";

interface Holder {
  pid: number;
  host: string;
  user: string;
  command: string;
  /** Milliseconds since the epoch. */
  since: number;
}

export interface DeployLock {
  release(): Promise<void>;
}

export function lockPath(root: string, target: string): string {
  return path.join(root, ".dray", "locks", `deploy-${target}.lock`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as Holder;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `target`, waiting up to `waitMs` for another holder to finish. */
export async function acquireDeployLock(
  root: string,
  target: string,
  options: { waitMs: number; signal?: AbortSignal },
): Promise<DeployLock> {
  const file = lockPath(root, target);
  await mkdir(path.dirname(file), { recursive: true });
  const me: Holder = {
    pid: process.pid,
    host: os.hostname(),
    user: os.userInfo().username,
    command: process.argv.slice(2).join(" "),
    since: Date.now(),
  };
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(file);
    if (holder && holder.host === me.host && !alive(holder.pid)) {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline || options.signal?.aborted) {
      const who = holder
        ? `${holder.user}@${holder.host} (pid ${holder.pid}, \`dray ${holder.command}\`, since ${new Date(holder.since).toISOString()})`
        : "another dray process";
      throw new UserError(`another deploy to target ${target} is running: ${who}`, {
        hint: `Wait for it to finish, or pass --lock-wait 5m to queue behind it. If no such process runs, remove ${file}.`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
