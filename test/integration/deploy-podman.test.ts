/**
 * `dray deploy` to Podman through its Docker-compatible socket (a real `podman system service`
 * started for this test): images loaded straight in, a second deploy changes nothing, one changed
 * service is the only one replaced.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dp${process.pid}`;

async function ids(): Promise<Record<string, string>> {
  const { stdout } = await run("podman", [
    "ps",
    "--filter",
    `label=dray.project=${project}`,
    "--format",
    '{{.ID}} {{index .Labels "dray.service"}}',
  ]);
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n").filter(Boolean)) {
    const [id, service] = line.split(" ");
    out[service!] = id!;
  }
  return out;
}

describe("dray deploy to Podman's Docker-compatible socket", () => {
  let dir: string;
  let socketDir: string;
  let service: ChildProcess;
  let ordersPort: number;

  beforeAll(async () => {
    socketDir = await mkdtemp(path.join(os.tmpdir(), "dray-podman-sock-"));
    const socket = path.join(socketDir, "podman.sock");
    service = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const ping = await run("curl", ["-sf", "--unix-socket", socket, "http://d/v1.41/_ping"]).catch(
        () => undefined,
      );
      if (ping?.stdout === "OK") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    dir = await copyExample("dray-podman-");
    ordersPort = await freePort();
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace("  local: { type: docker }", `  podman: { type: docker, host: "unix://${socket}" }`)
      .replace('"18081:8080"', `"${ordersPort}:8080"`)
      .replace(/ {6}publish: \["1808[02]:8080"\]\n/g, "");
    await writeFile(file, yaml);
  }, 60_000);

  afterAll(async () => {
    await removeProject(project, "podman");
    service?.kill("SIGTERM");
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
  }, 60_000);

  it("deploys, changes nothing the second time, and replaces only the changed service", async () => {
    const first = await runDray(["deploy", "--json"], { cwd: dir, timeoutMs: 300_000 });
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout) as { services: { service: string; status: string }[] };
    expect(created.services.map((s) => [s.service, s.status])).toEqual([
      ["api", "done"],
      ["orders", "done"],
      ["users", "done"],
    ]);
    const res = await fetch(`http://127.0.0.1:${ordersPort}/`, { signal: AbortSignal.timeout(3000) });
    expect(await res.text()).toMatch(/^orders: /);
    const before = await ids();
    expect(Object.keys(before).sort()).toEqual(["api", "orders", "users"]);

    const second = await runDray(["deploy"], { cwd: dir, timeoutMs: 300_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 changed, 3 unchanged/);
    expect(await ids()).toEqual(before);

    const main = path.join(dir, "services", "orders", "main.go");
    await writeFile(main, (await readFile(main, "utf8")).replace('"orders: ', '"orders on podman: '));
    const third = await runDray(["deploy"], { cwd: dir, timeoutMs: 300_000 });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/1 changed, 2 unchanged/);
    const after = await ids();
    expect(after.orders).not.toBe(before.orders);
    expect(after.api).toBe(before.api);
    expect(after.users).toBe(before.users);
    const answer = await fetch(`http://127.0.0.1:${ordersPort}/`, { signal: AbortSignal.timeout(3000) });
    expect(await answer.text()).toMatch(/^orders on podman: /);
    // The deploys took and released the engine-side lock: none is left.
    const { stdout } = await run("podman", [
      "ps",
      "-a",
      "--filter",
      `name=dray-lock-${project}`,
      "--format",
      "{{.Names}}",
    ]);
    expect(stdout.trim()).toBe("");
  }, 600_000);

  it("the deploy-lock container keeps the TargetLock contract on Podman (which answers a taken name with 500, not 409)", async () => {
    const { containerLock } = await import("../../src/deploy/docker/lock.js");
    const { createEngineClient } = await import("../../src/engine/client.js");
    const { readEngineInfo } = await import("../../src/engine/platform.js");
    const { checkTargetLockContract } = await import("../support/target-lock-contract.js");
    const socket = path.join(socketDir, "podman.sock");
    const engine = createEngineClient({ kind: "unix", socketPath: socket, text: `unix://${socket}` });
    try {
      const info = await readEngineInfo(engine);
      await checkTargetLockContract(
        containerLock(engine, `${project}-contract`, info.platform, info.clockOffsetMs),
      );
    } finally {
      engine.close();
    }
  }, 120_000);
});
