/**
 * TEST HELPER: run `dray` and kill it with SIGKILL after a given delay — the whole process group, so
 * that the compilers and build commands it started die with it (as when a CI job is cancelled or the
 * machine runs out of memory) and nothing keeps writing into the project afterwards.
 */
import { spawn } from "node:child_process";
import { drayBin } from "./dray.js";

/** How a killed run ended: `killed` false when dray finished before the delay. */
export interface KilledRun {
  killed: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit. */
  ranMs: number;
}

export function runDrayKilledAfter(
  args: readonly string[],
  options: { cwd: string; afterMs: number; env?: NodeJS.ProcessEnv },
): Promise<KilledRun> {
  const env = { ...process.env, CI: "true", NO_COLOR: "1", ...options.env };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [drayBin, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const killGroup = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) killed = true;
      killGroup();
    }, options.afterMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      // Children that outlived a dray that finished by itself are killed too.
      killGroup();
      resolve({ killed, code, stdout, stderr, ranMs: Date.now() - started });
    });
  });
}
