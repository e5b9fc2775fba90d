/**
 * How the docker target replaces a service that publishes no host port, against the real engine:
 * the new container starts beside the old one, and the old one is stopped only once the new one is
 * healthy, so the service answers the whole time; a new version that never becomes healthy is
 * removed and the old container is never touched. Both are read from outside dray: the engine's own
 * event log, and GETs sent to the old container's address on the project network during the deploy.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { containerEvents } from "../support/engine-events.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";

const run = promisify(execFile);
const project = `dro${process.pid}`;

/** The orders container: its ID, whether it runs, and its address on the project network. */
async function orders(): Promise<{ id: string; running: boolean; ip: string }> {
  const { stdout } = await run("docker", ["inspect", `${project}-orders`]);
  const [c] = JSON.parse(stdout) as {
    Id: string;
    State: { Running: boolean };
    NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
  }[];
  return { id: c!.Id, running: c!.State.Running, ip: c!.NetworkSettings.Networks[project]!.IPAddress };
}

/** Every container of the project, running or not. */
async function projectContainers(): Promise<string[]> {
  const { stdout } = await run("docker", [
    "ps",
    "-a",
    "--filter",
    `label=dray.project=${project}`,
    "--format",
    "{{.Names}}",
  ]);
  return stdout.split("\n").filter(Boolean).sort();
}

const wallNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * GETs `url` every 50 ms until stopped; each answer (or failure) with the wall times, in ns, at
 * which its request was sent and its answer (or failure) came back.
 */
function poll(url: string) {
  const answers: { sent: bigint; answered: bigint; text: string }[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const sent = wallNs();
      const text = await fetch(url, { signal: AbortSignal.timeout(5000) }).then(
        async (res) => `${res.status} ${await res.text()}`,
        (error: unknown) => `failed: ${String(error)}`,
      );
      answers.push({ sent, answered: wallNs(), text });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return answers;
    },
  };
}

describe("docker target: replacing a service with no published port", () => {
  let dir: string;
  let main: string;
  let source: string;

  beforeAll(async () => {
    dir = await copyExample("dray-replace-order-");
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace(/\n\s+publish: \[.*\]/g, "")
      .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 60s }");
    expect(yaml).not.toContain("publish:");
    await writeFile(file, yaml);
    main = path.join(dir, "services", "orders", "main.go");
    source = await readFile(main, "utf8");
    const first = await runDray(["deploy", "orders"], { cwd: dir, timeoutMs: 300_000 });
    expect(first.code, first.stderr).toBe(0);
  }, 300_000);

  /**
   * `dray deploy orders` while the orders container of before answers GETs (see poll); with that
   * container, the wall-clock window of the deploy and every answer.
   */
  const deployWhileAsking = async () => {
    const old = await orders();
    const answers = poll(`http://${old.ip}:8080/`);
    const started = Date.now();
    const result = await runDray(["deploy", "orders"], { cwd: dir, timeoutMs: 300_000 });
    const ended = Date.now();
    return { old, result, started, ended, seen: await answers.stop() };
  };

  afterAll(async () => {
    await removeProject(project);
    await removeProjectImages(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("starts the new container beside the old one, which answers until the new one is healthy", async () => {
    // The new version waits 2 s before it listens: it is running but not yet healthy for that long.
    await writeFile(
      main,
      source
        .replace('"orders: ready', '"orders v2: ready')
        .replace('\n\t"net/http"\n', '\n\t"net/http"\n\t"time"\n')
        .replace("func main() {\n", "func main() {\n\ttime.Sleep(2 * time.Second)\n"),
    );
    const { old, result, started, ended, seen } = await deployWhileAsking();
    expect(result.code, result.stderr).toBe(0);

    const now = await orders();
    expect(now.id).not.toBe(old.id);
    expect(now.running).toBe(true);
    expect(await projectContainers()).toEqual([`${project}-orders`]);
    const answer = await fetch(`http://${now.ip}:8080/`, { signal: AbortSignal.timeout(5000) });
    expect(await answer.text()).toBe("orders v2: ready to take orders\n");

    const log = (await containerEvents(started, ended)).filter((e) => e.id === now.id || e.id === old.id);
    const at = (id: string, actions: string[]) =>
      log.find((e) => e.id === id && actions.includes(e.action))?.ns ?? -1n;
    const newStarted = at(now.id, ["start"]);
    const oldStopping = at(old.id, ["kill", "stop", "die"]);
    const shown = log.map((e) => `${e.id === now.id ? "new" : "old"} ${e.action} ${e.ns}`).join("\n");
    expect(newStarted, shown).toBeGreaterThan(0n);
    expect(oldStopping, shown).toBeGreaterThan(newStarted);
    // While the new container started and became healthy, the old one answered every GET. A GET
    // still in flight when the old one is told to stop may fail, as it would for any client, so
    // only those sent after the new one started and answered before the old one was stopped count.
    const meanwhile = seen.filter((a) => a.sent > newStarted && a.answered < oldStopping);
    expect(meanwhile.length).toBeGreaterThan(0);
    expect(new Set(meanwhile.map((a) => a.text))).toEqual(new Set(["200 orders: ready to take orders\n"]));
  }, 300_000);

  it("a new version that never becomes healthy is removed, and the old container is never stopped", async () => {
    // This build exits at once: the old version (v2, from the test above) must keep serving.
    await writeFile(
      main,
      source.replace("func main() {\n", 'func main() {\n\tpanic("this build is broken")\n'),
    );
    try {
      const { old, result, started, ended, seen } = await deployWhileAsking();
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/orders: the new version did not become healthy: the container exited/);
      expect(result.stderr).toContain("this build is broken");

      const now = await orders();
      expect(now).toEqual(old);
      expect(await projectContainers()).toEqual([`${project}-orders`]);
      const touched = (await containerEvents(started, ended)).filter((e) => e.id === old.id);
      expect(touched.map((e) => e.action)).toEqual([]);
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen.map((a) => a.text))).toEqual(new Set(["200 orders v2: ready to take orders\n"]));
    } finally {
      await writeFile(main, source);
    }
  }, 300_000);
});
