/**
 * Drift and the engine-side deploy lock against the real Docker engine. Drift: a container stopped,
 * replaced by hand with another image, removed, or given another restart policy is shown by
 * `dray status` (which changes nothing) and put back by `dray deploy`, which says what drifted.
 * Lock: two `dray deploy` processes from two checkouts of one project, started at once, take turns
 * (the engine's own event log shows their writes never interleave) and the one that waits names the
 * other; a lock left by a killed deploy, or by a holder elsewhere that stopped renewing it, is taken
 * over and the takeover reported; Ctrl-C releases it.
 */
import { execFile, spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerLock } from "../../src/deploy/docker/lock.js";
import { engineAddress } from "../../src/engine/address.js";
import { createEngineClient } from "../../src/engine/client.js";
import { readEngineInfo } from "../../src/engine/platform.js";
import { copyExample, drayBin, type RunResult, runDray } from "../support/dray.js";
import { containerEvents } from "../support/engine-events.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";
import { checkTargetLockContract } from "../support/target-lock-contract.js";

const run = promisify(execFile);
const project = `ddl${process.pid}`;
const lockName = `dray-lock-${project}`;
const me = `${os.userInfo().username}@${os.hostname()}`;

interface StatusJson {
  services: {
    service: string;
    deployed: boolean;
    running: boolean;
    state: string;
    drift: { text: string }[];
  }[];
}

interface DeployJson {
  services: { service: string; action: string; status: string; reasons: string[] }[];
}

/** `docker inspect` of the project's container for `service`, or undefined when there is none. */
async function container(
  service: string,
): Promise<{ Id: string; Config: { Labels: Record<string, string> } } | undefined> {
  const found = await run("docker", ["inspect", `${project}-${service}`]).catch(() => undefined);
  return found
    ? (JSON.parse(found.stdout) as { Id: string; Config: { Labels: Record<string, string> } }[])[0]
    : undefined;
}

async function get(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
  return `${res.status} ${await res.text()}`;
}

/** Orders, changed to answer with `version` and to take `delayS` seconds before it listens. */
async function setOrders(dir: string, version: string, delayS: number): Promise<void> {
  const file = path.join(dir, "services", "orders", "main.go");
  let source = await readFile(file, "utf8");
  source = source
    .replace(/"orders[^:]*: ready/, `"orders ${version}: ready`)
    .replace(/\n\t"net\/http"\n(\t"time"\n)?/, '\n\t"net/http"\n\t"time"\n')
    .replace(
      /func main\(\) \{\n(\ttime\.Sleep\(.*\)\n)?/,
      `func main() {\n\ttime.Sleep(${delayS} * time.Second)\n`,
    );
  await writeFile(file, source);
}

/** Container events between two times (ms), of the project's containers and its lock. */
async function events(sinceMs: number, untilMs: number) {
  return (await containerEvents(sinceMs, untilMs)).filter(
    (e) => e.name === lockName || e.name.startsWith(`${project}-`),
  );
}

describe("docker target: drift, `dray status`, and a deploy lock the engine holds", () => {
  let dir: string;
  let other: string;
  const ports: Record<string, number> = {};

  const deploy = (cwd: string, ...args: string[]) =>
    runDray(["deploy", ...args], { cwd, timeoutMs: 300_000 });
  const status = async (): Promise<StatusJson> => {
    const result = await runDray(["status", "--json"], { cwd: dir, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as StatusJson;
  };
  const driftOf = async (service: string) =>
    (await status()).services.find((s) => s.service === service)!.drift.map((d) => d.text);

  beforeAll(async () => {
    dir = await copyExample("dray-drift-");
    for (const service of ["api", "orders", "users"]) ports[service] = await freePort();
    const yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace('"18080:8080"', `"${ports.api}:8080"`)
      .replace('"18081:8080"', `"${ports.orders}:8080"`)
      .replace('"18082:8080"', `"${ports.users}:8080"`)
      .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 60s }");
    await writeFile(path.join(dir, "dray.yaml"), yaml);
    // A second checkout of the same project, as another CI runner would have it.
    other = await copyExample("dray-drift-other-");
    await writeFile(path.join(other, "dray.yaml"), yaml);
    const first = await deploy(dir);
    expect(first.code, first.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await run("docker", ["rm", "-f", lockName]).catch(() => undefined);
    await removeProject(project);
    await removeProjectImages(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
    await rm(path.dirname(other), { recursive: true, force: true });
  }, 120_000);

  it("status right after a deploy: every service running, nothing drifted, no lock left behind", async () => {
    const { services } = await status();
    expect(services.map((s) => [s.service, s.deployed, s.state, s.drift])).toEqual([
      ["api", true, "running", []],
      ["orders", true, "running", []],
      ["users", true, "running", []],
    ]);
    expect(await run("docker", ["inspect", lockName]).catch(() => "absent")).toBe("absent");
  }, 120_000);

  it("a container stopped by hand: status shows it and changes nothing; deploy starts the service again, saying it drifted", async () => {
    await run("docker", ["stop", `${project}-orders`]);
    const before = await container("orders");
    expect(await driftOf("orders")).toEqual([expect.stringMatching(/^state running → exited \(code \d+\)$/)]);
    expect((await container("orders"))?.Id).toBe(before?.Id);
    const { stdout } = await run("docker", ["inspect", "-f", "{{.State.Status}}", `${project}-orders`]);
    expect(stdout.trim()).toBe("exited");

    const result = await deploy(dir, "--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as DeployJson;
    expect(json.services.filter((s) => s.action !== "keep")).toEqual([
      expect.objectContaining({
        service: "orders",
        action: "replace",
        reasons: [expect.stringMatching(/^drifted: state running → exited \(code \d+\)$/)],
      }),
    ]);
    expect(await get(ports.orders!)).toMatch(/^200 orders: /);
    expect(await driftOf("orders")).toEqual([]);
  }, 300_000);

  it("`docker update --restart no` is drift; deploy puts back dray's restart policy", async () => {
    await run("docker", ["update", "--restart", "no", `${project}-api`]);
    expect(await driftOf("api")).toEqual(["restart unless-stopped → no"]);
    const result = await deploy(dir, "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(
      (JSON.parse(result.stdout) as DeployJson).services.find((s) => s.service === "api")?.reasons,
    ).toEqual(["drifted: restart unless-stopped → no"]);
    const { stdout } = await run("docker", [
      "inspect",
      "-f",
      "{{.HostConfig.RestartPolicy.Name}}",
      `${project}-api`,
    ]);
    expect(stdout.trim()).toBe("unless-stopped");
  }, 300_000);

  it("a container replaced by hand with another image: reported as drift, and deploy puts dray's back", async () => {
    const api = (await container("api"))!;
    await run("docker", ["rm", "-f", `${project}-users`]);
    // The hand-made replacement runs another service's image under users' name.
    await run("docker", [
      "run",
      "-d",
      "--name",
      `${project}-users`,
      "--network",
      project,
      "-e",
      "PORT=8080",
      api.Config.Labels["dray.image-id"]!,
    ]);
    const drift = await driftOf("users");
    expect(drift).toEqual([
      `container created by dray → created elsewhere, running ${api.Config.Labels["dray.image-id"]}`,
    ]);

    const result = await deploy(dir, "--json");
    expect(result.code, result.stderr).toBe(0);
    const users = (JSON.parse(result.stdout) as DeployJson).services.find((s) => s.service === "users")!;
    expect(users).toMatchObject({ action: "replace", status: "done" });
    expect(users.reasons).toContain(`drifted: ${drift[0]}`);
    expect((await container("users"))?.Config.Labels["dray.service"]).toBe("users");
    expect(await get(ports.users!)).toMatch(/^200 users: /);
  }, 300_000);

  it("a container removed by hand: status says it is not on the target; deploy creates it again", async () => {
    await run("docker", ["rm", "-f", `${project}-api`]);
    const api = (await status()).services.find((s) => s.service === "api")!;
    expect(api).toMatchObject({ deployed: false, state: "not on the target" });
    const result = await deploy(dir, "--json");
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as DeployJson).services.find((s) => s.service === "api")).toMatchObject(
      {
        action: "create",
        reasons: ["new"],
        status: "done",
      },
    );
    expect(await get(ports.api!)).toMatch(/^200 api: /);
  }, 300_000);

  it("two deploys from two checkouts started at once take turns: the engine's events never interleave, and the one that waits names the other", async () => {
    // Each replaces orders with its own version, which takes 6 s to listen: long enough for the
    // two to meet at the lock. Both build first, so that they start deploying at the same time.
    await setOrders(dir, "from-a", 6);
    await setOrders(other, "from-b", 6);
    for (const cwd of [dir, other]) {
      const built = await runDray(["build", "orders"], { cwd, timeoutMs: 300_000 });
      expect(built.code, built.stderr).toBe(0);
    }
    const started = Date.now();
    const pids: Record<string, number> = {};
    const [a, b] = await Promise.all(
      (["a", "b"] as const).map((who) =>
        runDray(["deploy", "--lock-wait", "3m"], {
          cwd: who === "a" ? dir : other,
          timeoutMs: 400_000,
          onSpawn: (pid) => {
            pids[who] = pid;
          },
        }),
      ),
    );
    const ended = Date.now();
    expect(a!.code, a!.stderr).toBe(0);
    expect(b!.code, b!.stderr).toBe(0);
    const waited = (r: RunResult, other: number) =>
      r.stderr.includes(
        `waiting for the deploy lock of target local, held by ${me} (pid ${other}, \`dray deploy --lock-wait 3m\``,
      );
    const aWaited = waited(a!, pids.b!);
    const bWaited = waited(b!, pids.a!);
    expect([aWaited, bWaited].filter(Boolean), `${a!.stderr}\n----\n${b!.stderr}`).toHaveLength(1);

    const seen = await events(started, ended);
    const locks = seen.filter(
      (e) => e.name === lockName && (e.action === "create" || e.action === "destroy"),
    );
    expect(locks.map((e) => e.action)).toEqual(["create", "destroy", "create", "destroy"]);
    const writes = seen.filter((e) => e.name !== lockName);
    // Every write to the project's containers happened while one of the two held the lock (a new
    // version starts as "<project>-orders.next").
    const during = (i: number) =>
      writes.filter((e) => e.ns > locks[2 * i]!.ns && e.ns < locks[2 * i + 1]!.ns);
    expect(during(0).length + during(1).length).toBe(writes.length);
    for (const i of [0, 1])
      expect(during(i).some((e) => e.name.startsWith(`${project}-orders`) && e.action === "start")).toBe(
        true,
      );
    // The one that waited deployed last: its version serves.
    expect(await get(ports.orders!)).toBe(
      `200 orders ${aWaited ? "from-a" : "from-b"}: ready to take orders\n`,
    );
  }, 900_000);

  it("without --lock-wait, a deploy that finds the lock held fails at once naming the holder, and changes nothing", async () => {
    await setOrders(dir, "held", 6);
    const built = await runDray(["build", "orders"], { cwd: dir, timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    const before = (await container("orders"))!.Id;
    let holderPid = 0;
    let second: Promise<RunResult> | undefined;
    const first = runDray(["deploy"], {
      cwd: dir,
      timeoutMs: 300_000,
      onSpawn: (pid) => {
        holderPid = pid;
      },
    });
    // Start the second once the first holds the lock: its container exists on the engine.
    for (let i = 0; i < 1200 && !second; i++) {
      if (
        await run("docker", ["inspect", lockName]).then(
          () => true,
          () => false,
        )
      )
        second = runDray(["deploy"], { cwd: other, timeoutMs: 300_000 });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(second).toBeDefined();
    const [held, done] = [await second!, await first];
    expect(done.code, done.stderr).toBe(0);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(
      new RegExp(
        `another deploy to target local is running: ${me} \\(pid ${holderPid}, \`dray deploy\`, since .*\\), last renewed \\d+s ago`,
      ),
    );
    expect(held.stderr).toContain(`container ${lockName} on unix://`);
    expect(held.stderr).not.toMatch(/\n\s+at /);
    // Only the first changed orders: the second never wrote.
    expect((await container("orders"))!.Id).not.toBe(before);
    expect(await get(ports.orders!)).toMatch(/^200 orders held: /);
  }, 600_000);

  it("a lock left by a deploy killed with SIGKILL is taken over at once, and the takeover is reported", async () => {
    await setOrders(dir, "killed", 6);
    const built = await runDray(["build", "orders"], { cwd: dir, timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    const child = spawn(process.execPath, [drayBin, "deploy"], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.stderr.on("data", (c) => {
      if (String(c).includes("orders: replacing (")) child.kill("SIGKILL");
    });
    await exited;
    expect(
      await run("docker", ["inspect", lockName]).then(
        () => "held",
        () => "absent",
      ),
    ).toBe("held");
    const result = await deploy(dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(
        `took over the deploy lock of target local from ${me} \\(pid ${child.pid}, \`dray deploy\`, .*\\): its process \\(pid ${child.pid}\\) is gone`,
      ),
    );
    expect(await run("docker", ["inspect", lockName]).catch(() => "absent")).toBe("absent");
    expect(await get(ports.orders!)).toMatch(/^200 orders killed: /);
  }, 600_000);

  it("a lock from another machine is respected by a deploy that changes something until it goes 30 s without renewal, then taken over and reported", async () => {
    const { stdout: image } = await run("docker", ["images", "-q", "--filter", "reference=dray-lock"]);
    const holder = {
      user: "ci",
      host: "runner-elsewhere",
      pid: 4242,
      pidSpace: "another-machine",
      project,
      target: "local",
      command: "deploy",
      since: Date.now(),
      token: "t",
    };
    await run("docker", [
      "create",
      "--name",
      lockName,
      "--label",
      `dray.lock=${project}`,
      "--label",
      `dray.lock.holder=${JSON.stringify(holder)}`,
      image.split("\n")[0]!,
    ]);
    // A deploy with nothing to change takes no lock: it succeeds and leaves the other's lock alone.
    const lockId = async () =>
      (await run("docker", ["inspect", "--format", "{{.Id}}", lockName])).stdout.trim();
    const held = await lockId();
    const noop = await deploy(dir, "--json");
    expect(noop.code, noop.stderr).toBe(0);
    expect((JSON.parse(noop.stdout) as DeployJson).services.map((s) => s.status)).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);
    expect(await lockId()).toBe(held);
    // One with something to change must take it.
    await setOrders(dir, "elsewhere", 0);
    const built = await runDray(["build", "orders"], { cwd: dir, timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    const refused = await deploy(dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /another deploy to target local is running: ci@runner-elsewhere \(pid 4242, `dray deploy`/,
    );
    const taken = await deploy(dir, "--lock-wait", "2m");
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(
      /waiting for the deploy lock of target local, held by ci@runner-elsewhere \(pid 4242/,
    );
    expect(taken.stderr).toMatch(
      /took over the deploy lock of target local from ci@runner-elsewhere \(pid 4242, .*\): it was last renewed \d+s ago, and a lock not renewed for 30s has expired/,
    );
    expect(await run("docker", ["inspect", lockName]).catch(() => "absent")).toBe("absent");
  }, 600_000);

  it("Ctrl-C during a deploy releases the lock once the service in hand is finished", async () => {
    await setOrders(dir, "interrupted", 6);
    const built = await runDray(["build", "orders"], { cwd: dir, timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    const child = spawn(process.execPath, [drayBin, "deploy"], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stderr.on("data", (c) => {
      if (!signalled && String(c).includes("orders: replacing (")) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    await exited;
    expect(signalled).toBe(true);
    expect(await run("docker", ["inspect", lockName]).catch(() => "absent")).toBe("absent");
    const next = await deploy(dir);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toMatch(/took over|waiting for the deploy lock/);
  }, 600_000);
});

describe("docker target: the deploy-lock container", () => {
  it("keeps the TargetLock contract on Docker's engine", async () => {
    const engine = createEngineClient(engineAddress(undefined, process.env, "test"));
    try {
      const info = await readEngineInfo(engine);
      await checkTargetLockContract(
        containerLock(engine, `contract${process.pid}`, info.platform, info.clockOffsetMs),
      );
    } finally {
      engine.close();
    }
  }, 120_000);
});
