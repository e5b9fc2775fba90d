/**
 * Small projects for fault tests: command services only (no Go), so a build takes milliseconds and
 * the fault, not the compiler, is what a test waits for. Also a way to start dray and keep hold of
 * the process, to interrupt it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { drayBin, type RunResult } from "./dray.js";

/** A project whose dray.yaml is `lines`, with `files` (relative path → content) written first. */
export async function faultProject(
  lines: readonly string[],
  files: Record<string, string> = {},
  prefix = "dray-fault-",
): Promise<string> {
  const root = path.join(await mkdtemp(path.join(os.tmpdir(), prefix)), "project");
  await mkdir(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  await writeFile(path.join(root, "dray.yaml"), `${lines.join("\n")}\n`);
  return root;
}

/** dray.yaml lines of one command service `name` running `command` in directory `dir`. */
export function commandService(name: string, command: string, dir = name): string[] {
  return [`  ${name}:`, `    command: ${JSON.stringify(command)}`, `    dir: ${dir}`, "    output: dist"];
}

/** A running dray: the process, and its result once it ends. */
export interface StartedDray {
  child: ChildProcess;
  result: Promise<RunResult>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

/** Starts `dray args…` without waiting for it (killed after `timeoutMs`). */
export function startDray(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; detached?: boolean },
): StartedDray {
  const env = { ...process.env, CI: "true", NO_COLOR: "1", ...options.env };
  const child = spawn(process.execPath, [drayBin, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => {
    stdout += c;
  });
  child.stderr?.on("data", (c) => {
    stderr += c;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, result, stderr: () => stderr };
}

/** No stack trace and no "internal error": what every fault must look like. */
export function hasStack(stderr: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(stderr) || stderr.includes("internal error");
}
