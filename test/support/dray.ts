/** Running the built `dray` command the way a user does, and making scratch copies of the example. */
import { spawn } from "node:child_process";
import { cp, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const drayBin = path.join(repoRoot, "bin", "dray.js");
export const exampleDir = path.join(repoRoot, "examples", "shop");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `dray args…` to completion (bounded by `timeoutMs`). */
export function runDray(
  args: readonly string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    shellPrefix?: string;
    timeoutMs?: number;
    /** Called with the dray process's pid once it runs (without a shellPrefix, dray's own). */
    onSpawn?: (pid: number) => void;
  },
): Promise<RunResult> {
  const env = { ...process.env, CI: "true", NO_COLOR: "1", ...options.env };
  const argv = [process.execPath, drayBin, ...args];
  const [file, ...rest] = options.shellPrefix
    ? ["/bin/sh", "-c", `${options.shellPrefix} && exec "$@"`, "sh", ...argv]
    : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file!, rest, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A copy of examples/shop under a new temp directory (built outputs left behind). */
export async function copyExample(prefix = "dray-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const target = path.join(dir, "shop");
  await cp(exampleDir, target, {
    recursive: true,
    filter: (src) =>
      !/[/\\](\.dray|dist|node_modules)([/\\]|$)/.test(
        path.relative(exampleDir, src) ? `/${path.relative(exampleDir, src)}` : "",
      ),
  });
  return target;
}

/** A copy of test/fixtures/<name> under a new temp directory, as <temp>/project. */
export async function copyFixture(name: string, prefix = "dray-test-"): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), prefix)), "project");
  await cp(path.join(repoRoot, "test", "fixtures", name), dir, { recursive: true });
  return dir;
}

/** Parse `dray build --json` output into `service platform → {imageId, manifestDigest}`. */
export function digestsOf(stdout: string): Record<string, { imageId: string; manifestDigest: string }> {
  const json = JSON.parse(stdout) as {
    services: {
      name: string;
      status: string;
      platforms: { platform: string; imageId: string; manifestDigest: string }[];
    }[];
  };
  const out: Record<string, { imageId: string; manifestDigest: string }> = {};
  for (const service of json.services) {
    if (service.status !== "built") throw new Error(`service ${service.name} did not build`);
    for (const p of service.platforms)
      out[`${service.name} ${p.platform}`] = { imageId: p.imageId, manifestDigest: p.manifestDigest };
  }
  return out;
}
