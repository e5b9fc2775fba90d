// Runs a command and measures its memory: the peak resident set of the process itself (VmHWM,
// sampled from /proc while it runs) and, through /usr/bin/time, the largest of it and every process
// it waited for (for dray, `go build`'s compiler and linker). Linux only.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const GNU_TIME = "/usr/bin/time";

const running = new Set();

/** Stops every process group runMeasured started that is still running. */
export function stopMeasured() {
  for (const child of running) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already exited.
    }
  }
}

/** The high-water mark of `pid`'s resident set in KiB, or undefined once it is gone. */
function highWaterKiB(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (the command /usr/bin/time started), once it exists. */
function firstChild(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return children ? Number(children.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `command args` under /usr/bin/time; resolves to { ms, stdout, selfMiB, treeMiB } where selfMiB
 * is the command's own peak (VmHWM, sampled every `everyMs`, so a last burst shorter than that can be
 * missed) and treeMiB the largest peak of the command or any process it waited for.
 */
export function runMeasured(command, args, { cwd, env, timeoutMs, everyMs = 50 }) {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing (Debian: apt-get install time)`);
  const scratch = mkdtempSync(join(tmpdir(), "dray-bench-rss-"));
  const report = join(scratch, "time.txt");
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(GNU_TIME, ["-f", "%M", "-o", report, command, ...args], {
      cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    let target;
    let selfKiB = 0;
    const sampler = setInterval(() => {
      target ??= firstChild(child.pid);
      if (target !== undefined) selfKiB = Math.max(selfKiB, highWaterKiB(target) ?? 0);
    }, everyMs);
    const timer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - start;
      running.delete(child);
      clearInterval(sampler);
      clearTimeout(timer);
      const treeKiB = Number(readFileSync(report, "utf8").trim().split("\n").at(-1));
      rmSync(scratch, { recursive: true, force: true });
      const stdout = Buffer.concat(out).toString();
      if (code !== 0) {
        const tail = (Buffer.concat(err).toString().trim() || stdout.trim()).split("\n").slice(-20);
        reject(new Error(`${command} ${args.join(" ")} exited with ${code}\n${tail.join("\n")}`));
        return;
      }
      resolve({ ms, stdout, selfMiB: selfKiB / 1024, treeMiB: treeKiB / 1024 });
    });
  });
}
