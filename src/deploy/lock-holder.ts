/**
 * Who holds a deploy lock: this process as a lock record, and any record as a line a person can
 * act on ("ci@runner-7 (pid 4242, `dray deploy`, since …)").
 */
import { randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";

/** The holder a lock names, in the lock object itself (labels, config data, Lease fields). */
export interface LockHolder {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /**
   * The kernel boot and pid namespace `pid` belongs to. A waiter in the same one can tell that the
   * holder died; a host name alone cannot (CI containers share names, each has its own pids).
   */
  readonly pidSpace?: string;
  readonly project: string;
  readonly target: string;
  /** The dray command line, without "dray": "deploy --lock-wait 5m". */
  readonly command: string;
  /** When the lock was taken, in ms since the epoch on the target's clock. */
  readonly since: number;
  /** Tells this acquisition apart from any other, even by the same process. */
  readonly token: string;
}

/** This process as a lock holder; `since` is set when the lock is taken. */
export function thisHolder(project: string, target: string): Omit<LockHolder, "since"> {
  const pidSpace = localPidSpace();
  return {
    user: userName(),
    host: os.hostname(),
    pid: process.pid,
    ...(pidSpace ? { pidSpace } : {}),
    project,
    target,
    command: process.argv.slice(2).join(" "),
    token: randomBytes(8).toString("hex"),
  };
}

/** Linux: the boot ID and the pid namespace's inode; undefined where there is no /proc. */
export function localPidSpace(): string | undefined {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const namespace = readlinkSync("/proc/self/ns/pid");
    return `${boot}/${namespace}`;
  } catch {
    return undefined;
  }
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A container user without a passwd entry.
    return process.env.USER ?? String(process.getuid?.() ?? "unknown");
  }
}

/** "ci@runner-7 (pid 4242, `dray deploy`, since 2025-01-01T10:00:00.000Z)"; an unreadable record says so. */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return "a holder dray cannot identify (the lock carries no record of it)";
  const date = new Date(holder.since);
  const since = Number.isNaN(date.getTime()) ? "an unknown time" : date.toISOString();
  return `${holder.user}@${holder.host} (pid ${holder.pid}, \`dray ${holder.command}\`, since ${since})`;
}

/** A lock record read back from a target, if it has the fields of one; undefined otherwise. */
export function parseHolder(text: string | undefined): LockHolder | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const h = parsed as Record<string, unknown>;
  const strings = ["user", "host", "project", "target", "command", "token"] as const;
  if (!strings.every((key) => typeof h[key] === "string")) return undefined;
  if (typeof h.pid !== "number" || typeof h.since !== "number") return undefined;
  if (h.pidSpace !== undefined && typeof h.pidSpace !== "string") return undefined;
  return parsed as LockHolder;
}
