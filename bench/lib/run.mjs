// Runs a command and times it. Each child gets its own process group, so a timeout or Ctrl-C
// stops the whole tree it started (go build forks the compiler and linker) and nothing else.
import { spawn } from "node:child_process";

const running = new Set();

/** Kills the process group led by `child` (one runTimed started); a group already gone is fine. */
function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already exited.
  }
}

/** Stops every process group started by runTimed that is still running. */
export function stopAll() {
  for (const child of running) killGroup(child);
}

/**
 * Runs `command args` and resolves to { ms, stdout, stderr }. Rejects with the tail of stderr when
 * the command fails or runs longer than timeoutMs, so a stuck build cannot stall the benchmark.
 */
export function runTimed(command, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(new Error(`${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      const ms = performance.now() - start;
      clearTimeout(timer);
      running.delete(child);
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code === 0) return resolve({ ms, stdout, stderr });
      const why = timedOut ? `timed out after ${timeoutMs / 1000} s` : `exited with ${code ?? signal}`;
      // Some tools (dray --json) report failures on stdout; show whichever said something.
      const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-20).join("\n");
      reject(new Error(`${command} ${args.join(" ")} (in ${cwd}) ${why}\n${tail}`));
    });
  });
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function forEachLimited(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
