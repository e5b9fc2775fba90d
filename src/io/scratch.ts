/**
 * Scratch directories under a project's `.dray/tmp`: a build's packed layers and command outputs,
 * verify's second copy of the project, plan's export of a git revision. Each is removed by the run
 * that made it; one left by a run that was killed (kill -9, a power cut) is removed by the next run
 * that makes one, once its owner is known to be gone: its name says which host and pid made it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ensureDirectory } from "./ensure-directory.js";
import { processIsAlive } from "./file-lock.js";

/** What a scratch directory is for; the first part of its name. */
export type ScratchKind = "build" | "verify" | "since" | "push";

const NAME = /^(build|verify|since|push)-(.+)-(\d+)-[0-9a-f]{8}$/;

/** Creates a new, empty scratch directory of `kind` in `tmpRoot`, first removing any left by a dead run. */
export async function makeScratch(tmpRoot: string, kind: ScratchKind): Promise<string> {
  await ensureDirectory(tmpRoot);
  await sweepStaleScratch(tmpRoot);
  const dir = path.join(tmpRoot, `${kind}-${hostTag()}-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(dir);
  return dir;
}

/**
 * Removes the scratch directories in `tmpRoot` whose maker ran on this host and is no longer running.
 * Another host's (a checkout on a shared disk) and a live process's are left alone. Returns their names.
 */
export async function sweepStaleScratch(
  tmpRoot: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<string[]> {
  const names = await readdir(tmpRoot).catch(() => [] as string[]);
  const host = hostTag();
  const stale = names.filter((name) => {
    const match = NAME.exec(name);
    return match !== null && match[2] === host && !isAlive(Number(match[3]));
  });
  // A failure to remove one (another run removing it at the same time) is not this run's problem.
  await Promise.all(
    stale.map((name) => rm(path.join(tmpRoot, name), { recursive: true, force: true }).catch(() => {})),
  );
  return stale;
}

/** The host name, reduced to characters that are safe in a file name. */
function hostTag(): string {
  return os.hostname().replace(/[^A-Za-z0-9.]/g, "_") || "host";
}
