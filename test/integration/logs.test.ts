/**
 * `dray logs` from real containers: the depends-on fixture on the real Docker engine (db writes
 * three known lines, one of them on stderr; app one), a service of two replicas on a real
 * one-node swarm (lines put to their task's slot), and pods read through pods/log from a FAKE
 * Kubernetes API server (test/support/fake-kube-api.ts) — no real API server runs on these machines.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineAddress } from "../../src/engine/address.js";
import { createEngineClient, type EngineClient } from "../../src/engine/client.js";
import { copyFixture, drayBin, runDray } from "../support/dray.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";
import { joinSwarm, leaveSwarm, type SwarmJoin } from "../support/swarm.js";

const run = promisify(execFile);

/** `dray logs -f …` running until `until` says its output is complete, then stopped with `signal` (or left to end). */
function follow(
  args: readonly string[],
  cwd: string,
  until: (stdout: string) => boolean,
  then: (child: ReturnType<typeof spawn>) => Promise<void> | void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [drayBin, "logs", "-f", ...args], {
    cwd,
    env: { ...process.env, CI: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let acted = false;
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  child.stderr.on("data", (c) => {
    stderr += c;
  });
  child.stdout.on("data", (c) => {
    stdout += c;
    if (!acted && until(stdout)) {
      acted = true;
      void then(child);
    }
  });
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/**
 * The lines of `stdout`, sorted: sources interleave freely, and so do a container's stdout and
 * stderr (the engine copies each on its own).
 */
const sortedLines = (stdout: string) => stdout.split("\n").filter(Boolean).sort();

describe("dray logs from the Docker engine", () => {
  const project = `lg${process.pid}`;
  let dir: string;
  const logs = (...args: string[]) => runDray(["logs", ...args], { cwd: dir, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = await copyFixture("depends-on", "dray-logs-");
    const yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
      .replace("project: dependson", `project: ${project}`)
      .replace('"18090:8080"', `"${await freePort()}:8080"`)
      .replace('"18091:8080"', `"${await freePort()}:8080"`);
    await writeFile(path.join(dir, "dray.yaml"), yaml);
    const deployed = await runDray(["deploy"], { cwd: dir, timeoutMs: 300_000 });
    expect(deployed.code, deployed.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await removeProject(project);
    await removeProjectImages(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("prints each container's lines, stdout and stderr, after an aligned prefix, and exits", async () => {
    const result = await logs();
    expect(result.code, result.stderr).toBe(0);
    expect(sortedLines(result.stdout)).toEqual([
      "app | app: db answered",
      "db  | db: a line on stderr",
      "db  | db: listening",
      "db  | db: starting",
    ]);
  }, 60_000);

  it("--since leaves out what was written before; an unknown service is a usage error", async () => {
    const recent = await logs("db", "--since", "1h");
    expect(recent.stdout.split("\n").filter(Boolean)).toHaveLength(3);
    const later = await logs("db", "--since", new Date(Date.now() + 1000).toISOString());
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).toBe("");
    const unknown = await logs("dbb");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown service: dbb");
    const badSince = await logs("--since", "yesterday");
    expect(badSince.code).toBe(2);
  }, 60_000);

  it("-f follows until Ctrl-C, which ends it with exit code 130", async () => {
    const result = await follow(
      ["db"],
      dir,
      (out) => out.endsWith("\n") && sortedLines(out).length === 3,
      (child) => void child.kill("SIGINT"),
    );
    expect(result.code, result.stderr).toBe(130);
    expect(sortedLines(result.stdout)).toEqual([
      "db | db: a line on stderr",
      "db | db: listening",
      "db | db: starting",
    ]);
  }, 120_000);

  it("-f ends by itself when the container goes away; a service not on the target is said so", async () => {
    const result = await follow(
      ["app"],
      dir,
      (out) => out.includes("app: db answered"),
      async () => {
        await run("docker", ["rm", "-f", `${project}-app`]);
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("app | app: db answered\n");
    const gone = await logs("app");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("app: not on target local (docker)");
  }, 120_000);
});

const TALKER = `package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	fmt.Println("talker: first line")
	fmt.Fprintln(os.Stderr, "talker: second line")
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if err := http.ListenAndServe(":8080", nil); err != nil {
		os.Exit(1)
	}
}
`;

// Like every engine test, this one fails (never skips) when dockerd or docker-registry is missing.
describe("dray logs from a one-node swarm", () => {
  const project = `lgs${process.pid}`;
  let engine: EngineClient;
  let registry: TestRegistry;
  let root: string;
  let swarm: SwarmJoin | undefined;

  beforeAll(async () => {
    engine = createEngineClient(engineAddress(undefined, process.env, "test"));
    swarm = await joinSwarm(engine);
    registry = await startRegistry();
    root = await mkdtemp(path.join(os.tmpdir(), "dray-logs-swarm-"));
    await writeFile(path.join(root, "go.mod"), "module example.com/x\n\ngo 1.22\n");
    await mkdir(path.join(root, "talker"));
    await writeFile(path.join(root, "talker", "main.go"), TALKER);
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        `project: ${project}`,
        "platforms: [linux/amd64]",
        `registry: ${registry.url}/t`,
        "targets:",
        "  swarm: { type: swarm, update: { monitor: 1s } }",
        "services:",
        "  talker:",
        "    go: ./talker",
        "    ports: [8080]",
        "    deploy: { replicas: 2 }",
        "",
      ].join("\n"),
    );
    const deployed = await runDray(["deploy"], { cwd: root, timeoutMs: 300_000 });
    expect(deployed.code, deployed.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (engine) {
      const filters = JSON.stringify({ label: [`dray.project=${project}`] });
      const left = await engine.json<{ ID: string }[]>({
        method: "GET",
        path: "/services",
        query: { filters },
      });
      for (const s of left) await engine.raw({ method: "DELETE", path: `/services/${s.ID}` });
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

  it("puts each line to its task's slot, talker.1 and talker.2", async () => {
    // Swarm's log of a task that just started may lag behind a little: read until both are there.
    let result = await runDray(["logs"], { cwd: root, timeoutMs: 60_000 });
    for (let i = 0; i < 20 && sortedLines(result.stdout).length < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      result = await runDray(["logs"], { cwd: root, timeoutMs: 60_000 });
    }
    expect(result.code, result.stderr).toBe(0);
    expect(sortedLines(result.stdout)).toEqual([
      "talker.1 | talker: first line",
      "talker.1 | talker: second line",
      "talker.2 | talker: first line",
      "talker.2 | talker: second line",
    ]);
  }, 120_000);
});

describe("dray logs from Kubernetes pods (fake API server)", () => {
  let fake: FakeKubeApi;
  let root: string;

  beforeAll(async () => {
    fake = await startFakeKubeApi({ rolloutDelayMs: 20 });
    root = await mkdtemp(path.join(os.tmpdir(), "dray-logs-kube-"));
    const kubeconfig = await fake.writeKubeconfig(root);
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        "project: shop",
        "platforms: [linux/amd64]",
        "registry: 127.0.0.1:5000/shop",
        "targets:",
        `  prod: { type: kubernetes, namespace: shop, kubeconfig: ${path.basename(kubeconfig)} }`,
        "services:",
        "  api: { go: ./api }",
        "  orders: { go: ./orders }",
        "",
      ].join("\n"),
    );
    for (const service of ["api", "orders"]) await mkdir(path.join(root, service));
    fake.addNamespace("shop");
    const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "shop" };
    const created = await fetch(`${fake.url}/apis/apps/v1/namespaces/shop/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer fake-token" },
      body: JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "shop" },
        spec: {
          replicas: 2,
          selector: { matchLabels: selector },
          template: { metadata: { labels: selector } },
        },
      }),
    });
    expect(created.status).toBe(201);
    fake.addPod("shop", "api-7d9f-aaaaa", selector, "api: listening on :8080\napi: GET /healthz\n");
    fake.addPod("shop", "api-7d9f-bbbbb", selector, "api: listening on :8080\n");
    fake.addPod("shop", "other-1", { "app.kubernetes.io/name": "other" }, "not api\n");
  }, 60_000);

  afterAll(async () => {
    await fake?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("reads each pod of the Deployment through pods/log, with the since and Accept the API needs", async () => {
    const result = await runDray(["logs", "api", "--target", "prod", "--since", "10m"], {
      cwd: root,
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(sortedLines(result.stdout)).toEqual([
      "api.1 | api: GET /healthz",
      "api.1 | api: listening on :8080",
      "api.2 | api: listening on :8080",
    ]);
    const reads = fake.requests.filter((r) => r.path.endsWith("/log"));
    expect(reads.map((r) => [r.path, r.accept])).toEqual(
      ["api-7d9f-aaaaa", "api-7d9f-bbbbb"].map((pod) => [`/api/v1/namespaces/shop/pods/${pod}/log`, "*/*"]),
    );
    // Whole seconds back to the time --since named, rounded up: ten minutes and the moment dray took to start.
    for (const r of reads) {
      expect(Object.keys(r.query)).toEqual(["sinceSeconds"]);
      expect(Number(r.query["sinceSeconds"])).toBeGreaterThanOrEqual(600);
      expect(Number(r.query["sinceSeconds"])).toBeLessThan(660);
    }
  }, 60_000);

  it("-f asks the API to follow; a service without a Deployment is not on the target", async () => {
    const followed = await runDray(["logs", "-f", "api", "--target", "prod"], {
      cwd: root,
      timeoutMs: 60_000,
    });
    // The fake answers with the log so far and ends, as a pod whose container exited would.
    expect(followed.code, followed.stderr).toBe(0);
    expect(fake.requests.filter((r) => r.path.endsWith("/log")).at(-1)?.query).toEqual({ follow: "true" });
    const missing = await runDray(["logs", "orders", "--target", "prod"], { cwd: root, timeoutMs: 60_000 });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("orders: not on target prod (kubernetes)");
  }, 60_000);
});
