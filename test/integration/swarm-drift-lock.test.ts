/**
 * Drift and the deploy lock on a real one-node swarm, through the `dray` command: `docker service
 * scale` and `docker service update --env-add` behind dray's back are shown by `dray status`
 * (which changes nothing) and put back by `dray deploy`; the lock is a swarm config that follows
 * the TargetLock contract, names its holder to a second deployer, and expires when not renewed.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configLock } from "../../src/deploy/swarm/lock.js";
import { engineAddress } from "../../src/engine/address.js";
import { createEngineClient, type EngineClient } from "../../src/engine/client.js";
import { runDray } from "../support/dray.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { joinSwarm, leaveSwarm, type SwarmJoin } from "../support/swarm.js";
import { checkTargetLockContract } from "../support/target-lock-contract.js";

const run = promisify(execFile);

const SERVER = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "web", os.Getenv("MODE")) })
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`;

interface ServiceSpec {
  Version: { Index: number };
  Spec: { Mode: { Replicated: { Replicas: number } }; TaskTemplate: { ContainerSpec: { Env?: string[] } } };
}

// Like every engine test, this one fails (never skips) when dockerd or docker-registry is missing.
describe("swarm target: drift, `dray status`, and the deploy lock as a swarm config", () => {
  const project = `dsl${process.pid}`;
  const service = `${project}_web`;
  const lockName = `dray-lock-${project}`;
  let engine: EngineClient;
  let registry: TestRegistry;
  let root: string;
  let swarm: SwarmJoin | undefined;

  const dray = (...args: string[]) => runDray(args, { cwd: root, timeoutMs: 300_000 });
  const inspect = async (): Promise<ServiceSpec> =>
    (JSON.parse((await run("docker", ["service", "inspect", service])).stdout) as ServiceSpec[])[0]!;
  const drift = async (): Promise<string[]> => {
    const result = await dray("status", "--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { services: { service: string; drift: { text: string }[] }[] };
    return json.services.find((s) => s.service === "web")!.drift.map((d) => d.text);
  };

  beforeAll(async () => {
    engine = createEngineClient(engineAddress(undefined, process.env, "test"));
    swarm = await joinSwarm(engine);
    registry = await startRegistry();
    root = await mkdtemp(path.join(os.tmpdir(), "dray-swarm-drift-"));
    await writeFile(path.join(root, "go.mod"), "module example.com/x\n\ngo 1.22\n");
    await mkdir(path.join(root, "web"));
    await writeFile(path.join(root, "web", "main.go"), SERVER);
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        `project: ${project}`,
        "platforms: [linux/amd64]",
        `registry: ${registry.url}/t`,
        "targets:",
        "  swarm: { type: swarm, publish: host, update: { monitor: 1s } }",
        "services:",
        "  web:",
        "    go: ./web",
        "    ports: [8080]",
        '    env: { PORT: "8080" }',
        "    deploy: { replicas: 2, env: { MODE: plain } }",
        "",
      ].join("\n"),
    );
  }, 120_000);

  afterAll(async () => {
    if (engine) {
      await engine.raw({ method: "DELETE", path: `/services/${service}` });
      await engine.raw({ method: "DELETE", path: `/configs/${lockName}` });
      for (let i = 0; i < 40; i++) {
        const res = await engine.raw({ method: "DELETE", path: `/networks/${project}` });
        if (res.status === 204 || res.status === 404) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await leaveSwarm(engine, swarm);
      engine.close();
    }
    await registry?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  }, 120_000);

  it("the lock config keeps the TargetLock contract on a real swarm", async () => {
    const { clockOffsetMs } = await import("../../src/engine/platform.js").then((m) =>
      m.readEngineInfo(engine),
    );
    await checkTargetLockContract(configLock(engine, `${project}-contract`, clockOffsetMs));
  }, 60_000);

  it("deploys; status shows both tasks running and nothing drifted; no lock is left behind", async () => {
    const deployed = await dray("deploy");
    expect(deployed.code, deployed.stderr).toBe(0);
    const result = await dray("status", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).services).toEqual([
      expect.objectContaining({
        service: "web",
        deployed: true,
        running: true,
        state: "2/2 tasks running",
        drift: [],
      }),
    ]);
    expect((await engine.raw({ method: "GET", path: `/configs/${lockName}` })).status).toBe(404);
  }, 300_000);

  it("`docker service scale` and `--env-add` behind dray's back: status shows both and changes nothing; deploy puts dray's spec back", async () => {
    await run("docker", ["service", "scale", "--detach", `${service}=1`]);
    await run("docker", ["service", "update", "--detach", "--env-add", "FEATURE=on", service]);
    const before = await inspect();
    expect(await drift()).toEqual(["replicas 2 → 1", 'env FEATURE none → "on"']);
    // Swarm moves the version itself while it rolls the hand-made update out; the spec stays.
    expect((await inspect()).Spec).toEqual(before.Spec);

    const result = await dray("deploy", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).services).toEqual([
      expect.objectContaining({
        service: "web",
        action: "replace",
        status: "done",
        reasons: ['drifted: replicas 2 → 1, env FEATURE none → "on"'],
      }),
    ]);
    const after = await inspect();
    expect(after.Spec.Mode.Replicated.Replicas).toBe(2);
    expect(after.Spec.TaskTemplate.ContainerSpec.Env).toEqual(["MODE=plain"]);
    expect(await drift()).toEqual([]);
  }, 300_000);

  it("a deploy finding the swarm's lock held elsewhere fails naming the holder; once that lock goes 30 s unrenewed, it is taken over", async () => {
    const holder = {
      user: "ci",
      host: "manager-2",
      pid: 77,
      pidSpace: "another-machine",
      project,
      target: "swarm",
      command: "deploy",
      since: Date.now(),
      token: "t",
    };
    await engine.json({
      method: "POST",
      path: "/configs/create",
      body: {
        Name: lockName,
        Labels: { "dray.lock": project },
        Data: Buffer.from(JSON.stringify(holder)).toString("base64"),
      },
    });
    // Something to change (the lock is taken only then): another value of MODE.
    const file = path.join(root, "dray.yaml");
    await writeFile(file, (await readFile(file, "utf8")).replace("MODE: plain", "MODE: locked"));
    const refused = await dray("deploy");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /another deploy to target swarm is running: ci@manager-2 \(pid 77, `dray deploy`/,
    );
    expect(refused.stderr).toContain(`swarm config ${lockName} on unix://`);
    const taken = await dray("deploy", "--lock-wait", "2m");
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(
      /took over the deploy lock of target swarm from ci@manager-2 \(pid 77, .*\): it was last renewed \d+s ago, and a lock not renewed for 30s has expired/,
    );
    expect((await engine.raw({ method: "GET", path: `/configs/${lockName}` })).status).toBe(404);
  }, 300_000);
});
