/**
 * `dray deploy` against the real Docker engine: a second deploy changes nothing, one changed service
 * is the only one replaced, a new version that fails its health check leaves the old one serving,
 * deleting .dray/ changes nothing, and bad input gets a clear error.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingContext } from "../support/deploy-fixtures.js";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dt${process.pid}`;

interface ContainerFacts {
  id: string;
  startedAt: string;
  restarts: number;
}

/** Every container of the test project, by service label. */
async function containers(): Promise<Record<string, ContainerFacts>> {
  const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=dray.project=${project}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return {};
  const { stdout: json } = await run("docker", ["inspect", ...ids]);
  const out: Record<string, ContainerFacts> = {};
  for (const c of JSON.parse(json) as {
    Id: string;
    RestartCount: number;
    State: { StartedAt: string };
    Config: { Labels: Record<string, string> };
  }[]) {
    out[c.Config.Labels["dray.service"]!] = {
      id: c.Id,
      startedAt: c.State.StartedAt,
      restarts: c.RestartCount,
    };
  }
  return out;
}

async function get(port: number, urlPath = "/"): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(3000) });
  return `${res.status} ${await res.text()}`;
}

describe("dray deploy to a real Docker engine", () => {
  let dir: string;
  const ports: Record<string, number> = {};

  const deploy = (...args: string[]) => runDray(["deploy", ...args], { cwd: dir, timeoutMs: 300_000 });

  beforeAll(async () => {
    dir = await copyExample("dray-deploy-");
    for (const service of ["api", "orders", "users"]) ports[service] = await freePort();
    let yaml = await readFile(path.join(dir, "dray.yaml"), "utf8");
    yaml = yaml
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace('"18080:8080"', `"${ports.api}:8080"`)
      .replace('"18081:8080"', `"${ports.orders}:8080"`)
      .replace('"18082:8080"', `"${ports.users}:8080"`)
      .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 8s }");
    await writeFile(path.join(dir, "dray.yaml"), yaml);
  }, 60_000);

  afterAll(async () => {
    await removeProject(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("deploys every runnable service, healthy and answering on its published port on 127.0.0.1", async () => {
    const first = await deploy("--json");
    expect(first.code, first.stderr).toBe(0);
    const json = JSON.parse(first.stdout) as {
      services: { service: string; action: string; status: string }[];
      skipped: string[];
    };
    expect(json.services.map((s) => [s.service, s.action, s.status])).toEqual([
      ["api", "create", "done"],
      ["orders", "create", "done"],
      ["users", "create", "done"],
    ]);
    expect(json.skipped).toEqual(["web"]);
    expect(await get(ports.api!)).toBe("200 api: hello from shop\n");
    expect(await get(ports.orders!, "/healthz")).toBe("200 ok\n");
    const { stdout } = await run("docker", ["port", `${project}-api`, "8080/tcp"]);
    expect(stdout.trim()).toBe(`127.0.0.1:${ports.api}`);
  }, 300_000);

  it("a second deploy changes nothing: same containers, not restarted", async () => {
    const before = await containers();
    const second = await deploy();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 changed, 3 unchanged/);
    expect(await containers()).toEqual(before);
  }, 120_000);

  it("one changed service: exactly that container is replaced, the others keep their IDs and uptime", async () => {
    const before = await containers();
    const main = path.join(dir, "services", "orders", "main.go");
    const source = await readFile(main, "utf8");
    expect(source).toContain('"orders: ');
    await writeFile(main, source.replace('"orders: ', '"orders v2: '));
    const result = await deploy("--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      services: { service: string; action: string; reasons: string[] }[];
    };
    expect(json.services.filter((s) => s.action !== "keep")).toEqual([
      expect.objectContaining({ service: "orders", action: "replace", reasons: ["image changed"] }),
    ]);
    const after = await containers();
    expect(after.orders!.id).not.toBe(before.orders!.id);
    expect(after.api).toEqual(before.api);
    expect(after.users).toEqual(before.users);
    expect(await get(ports.orders!)).toMatch(/^200 orders v2: /);
  }, 300_000);

  it("a settings change alone redeploys: the deploy-spec digest covers env", async () => {
    const before = await containers();
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    await writeFile(
      file,
      yaml.replace(`"${ports.users}:8080"]`, `"${ports.users}:8080"]\n      env: { GREETING_STYLE: plain }`),
    );
    const result = await deploy("--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      services: { service: string; action: string; reasons: string[] }[];
    };
    expect(json.services.find((s) => s.service === "users")).toMatchObject({
      action: "replace",
      reasons: ["spec changed"],
    });
    const after = await containers();
    expect(after.users!.id).not.toBe(before.users!.id);
    expect(after.api).toEqual(before.api);
    const { stdout } = await run("docker", ["inspect", "-f", "{{json .Config.Env}}", `${project}-users`]);
    expect(JSON.parse(stdout)).toContain("GREETING_STYLE=plain");
  }, 300_000);

  it("deleting .dray/ and deploying again changes nothing: the live state comes from the engine", async () => {
    const before = await containers();
    await rm(path.join(dir, ".dray"), { recursive: true, force: true });
    const result = await deploy();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/0 changed, 3 unchanged/);
    expect(await containers()).toEqual(before);
  }, 300_000);

  it("a new version whose health check fails: the deploy fails naming the service with its last log lines, and the old version still serves", async () => {
    const before = await containers();
    const main = path.join(dir, "services", "api", "main.go");
    const source = await readFile(main, "utf8");
    const broken = source.replace(
      'httpkit.Main("api", mux)',
      'fmt.Println("api: this build answers 503 to everything")\n\t_ = http.ListenAndServe(":"+os.Getenv("PORT"), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }))',
    );
    expect(broken).not.toBe(source);
    await writeFile(main, broken);
    try {
      const result = await deploy();
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/api: the new version did not become healthy: .*answered 503/);
      expect(result.stderr).toContain("api: this build answers 503 to everything");
      expect(result.stderr).toMatch(/previous version of api is running again/);
      expect(result.stdout).toMatch(/api\s+replace failed/);
      expect(await get(ports.api!)).toBe("200 api: hello from shop\n");
      const after = await containers();
      expect(Object.keys(after).sort()).toEqual(["api", "orders", "users"]);
      expect(after.api!.id).toBe(before.api!.id);
    } finally {
      await writeFile(main, source);
    }
  }, 300_000);

  it("a published port already taken: a clear error naming the service and the port, and the old version keeps serving", async () => {
    const taken = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    await writeFile(file, yaml.replace(`"${ports.orders}:8080"`, `"${taken}:8080"`));
    try {
      const result = await deploy();
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`orders: cannot publish port ${taken} on 127\\.0\\.0\\.1: it is already taken`),
      );
      expect(result.stderr).toMatch(/change `deploy\.publish` of orders \(dray\.yaml:\d+:\d+\)/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await get(ports.orders!)).toMatch(/^200 orders v2: /);
    } finally {
      blocker.close();
      await writeFile(file, yaml);
    }
  }, 300_000);

  it("--prune removes a service that left dray.yaml; without it the service is left alone", async () => {
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    const withoutUsers = yaml.replace(/\n {2}users:\n(?: {4}.*\n| {6}.*\n)+/, "\n");
    expect(withoutUsers).not.toContain("./services/users");
    await writeFile(file, withoutUsers);
    try {
      const kept = await deploy();
      expect(kept.code, kept.stderr).toBe(0);
      expect(Object.keys(await containers())).toContain("users");
      const pruned = await deploy("--prune", "--json");
      expect(pruned.code, pruned.stderr).toBe(0);
      const json = JSON.parse(pruned.stdout) as {
        services: { service: string; action: string; reasons: string[] }[];
      };
      expect(json.services.find((s) => s.service === "users")).toMatchObject({
        action: "remove",
        reasons: ["removed from dray.yaml"],
      });
      expect(Object.keys(await containers()).sort()).toEqual(["api", "orders"]);
    } finally {
      await writeFile(file, yaml);
    }
  }, 300_000);

  it("--dry-run prints the plan and changes nothing", async () => {
    const before = await containers();
    const result = await deploy("--dry-run");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/users\s+would create\s+new/);
    expect(result.stdout).toMatch(/dry run, nothing changed/);
    expect(await containers()).toEqual(before);
  }, 300_000);

  it("a second deploy while one holds the target's lock fails naming the holder", async () => {
    const lock = path.join(dir, ".dray", "locks", "deploy-local.lock");
    await writeFile(
      lock,
      JSON.stringify({
        pid: process.pid,
        host: (await import("node:os")).hostname(),
        user: "ci",
        command: "deploy",
        since: Date.now(),
      }),
    );
    try {
      const result = await deploy();
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`another deploy to target local is running: ci@.* \\(pid ${process.pid}`),
      );
      expect(result.stderr).toContain("--lock-wait");
    } finally {
      await rm(lock, { force: true });
    }
  }, 120_000);

  it("a build that fails while another deploy holds the lock reports the compiler's error without waiting out --lock-wait, and leaves the lock to its holder", async () => {
    // The lock is taken while the build runs; a failed build must give it up at once.
    const lock = path.join(dir, ".dray", "locks", "deploy-local.lock");
    const holder = JSON.stringify({
      pid: process.pid,
      host: (await import("node:os")).hostname(),
      user: "ci",
      command: "deploy",
      since: Date.now(),
    });
    await writeFile(lock, holder);
    const main = path.join(dir, "services", "users", "main.go");
    const source = await readFile(main, "utf8");
    await writeFile(main, source.replace("func main() {", "func main() {\n\tundefinedThing()"));
    try {
      // Waiting out the lock would take 10 minutes, far past this run's timeout.
      const result = await runDray(["deploy", "--lock-wait", "10m"], { cwd: dir, timeoutMs: 120_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/service users: go build failed/);
      expect(result.stderr).toMatch(/undefined: undefinedThing/);
      expect(result.stderr).not.toMatch(/another deploy to target local is running/);
      expect(await readFile(lock, "utf8")).toBe(holder);
    } finally {
      await writeFile(main, source);
      await rm(lock, { force: true });
    }
  }, 180_000);
});

describe("dray deploy: bad target configuration and unreachable engines", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await copyExample("dray-deploy-bad-");
  });

  afterAll(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  async function withTargets(targets: string) {
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    await writeFile(file, yaml.replace(/targets:\n {2}local: .*\n/, `targets:\n${targets}\n`));
    return () => writeFile(file, yaml);
  }

  it("an unknown target type is a usage error at its line, before anything is built", async () => {
    const restore = await withTargets("  local: { type: dockr }");
    try {
      const result = await runDray(["deploy"], { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/dray\.yaml:\d+:\d+.*targets\.local/);
      expect(result.stderr).toMatch(/docker, swarm or kubernetes/);
    } finally {
      await restore();
    }
  });

  it("an unknown --target names the known ones", async () => {
    const result = await runDray(["deploy", "--target", "lcoal"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown target "lcoal" — did you mean "local"\?/);
  });

  it("an engine socket nobody listens on: exit 3, naming the address and what to do", async () => {
    const restore = await withTargets("  local: { type: docker, host: unix:///tmp/no-engine-here.sock }");
    try {
      const result = await runDray(["deploy", "api", "--target", "local"], { cwd: dir, timeoutMs: 300_000 });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /cannot reach the container engine at unix:\/\/\/tmp\/no-engine-here\.sock/,
      );
      expect(result.stderr).toMatch(/Start the engine/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await restore();
    }
  }, 300_000);

  it("a build that fails is what a deploy to an engine nobody listens on reports: the compiler's error, exit 1", async () => {
    // The engine is reached while the build runs; its failure must not hide the build's.
    const restore = await withTargets("  local: { type: docker, host: unix:///tmp/no-engine-here.sock }");
    const main = path.join(dir, "services", "api", "main.go");
    const source = await readFile(main, "utf8");
    await writeFile(main, source.replace("func main() {", "func main() {\n\tundefinedThing()"));
    try {
      const result = await runDray(["deploy", "api", "--target", "local"], { cwd: dir, timeoutMs: 300_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/service api: go build failed/);
      expect(result.stderr).toMatch(/undefined: undefinedThing/);
      expect(result.stderr).not.toMatch(/cannot reach the container engine/);
    } finally {
      await writeFile(main, source);
      await restore();
    }
  }, 300_000);
});

describe("dray deploy interrupted with Ctrl-C", () => {
  const interrupted = `di${process.pid}`;
  let dir: string;

  beforeAll(async () => {
    dir = await copyExample("dray-deploy-int-");
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${interrupted}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace(/ {6}publish: \["1808[012]:8080"\]\n/g, "");
    await writeFile(file, yaml);
  });

  afterAll(async () => {
    await removeProject(interrupted);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("finishes the services in hand and leaves each on its old or its new version, never without one", async () => {
    const first = await runDray(["deploy"], { cwd: dir, timeoutMs: 300_000 });
    expect(first.code, first.stderr).toBe(0);
    for (const service of ["api", "orders", "users"]) {
      const main = path.join(dir, "services", service, "main.go");
      const source = await readFile(main, "utf8");
      await writeFile(main, source.replace(`"${service}: `, `"${service} v2: `));
    }
    // Ctrl-C as soon as the first replacement starts: the build is done, containers are in flight.
    const { spawn } = await import("node:child_process");
    const { drayBin } = await import("../support/dray.js");
    const child = spawn(process.execPath, [drayBin, "deploy"], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
      // Once: a second Ctrl-C means "quit at once", which this test is not about.
      if (!signalled && String(c).includes("replacing (")) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    const code = await exited;
    expect(output).toContain("interrupted: finishing the services already in hand");
    expect(code).not.toBe(0);
    const { stdout } = await run("docker", [
      "ps",
      "-a",
      "--filter",
      `label=dray.project=${interrupted}`,
      "--format",
      "{{.Names}} {{.State}}",
    ]);
    const containers = stdout.split("\n").filter(Boolean).sort();
    // One running container per service under its stable name; nothing half-made left behind.
    expect(containers).toEqual([
      `${interrupted}-api running`,
      `${interrupted}-orders running`,
      `${interrupted}-users running`,
    ]);
    // And a later deploy finishes the job.
    const again = await runDray(["deploy"], { cwd: dir, timeoutMs: 300_000 });
    expect(again.code, again.stderr).toBe(0);
  }, 600_000);
});

describe("docker target: an image that cannot be pulled", () => {
  it("fails before anything is stopped, naming the service, the reference and what to check", async () => {
    const { openDockerTarget } = await import("../../src/deploy/docker/target.js");
    const { openLayout } = await import("../../src/oci/layout.js");
    const { mkdtemp } = await import("node:fs/promises");
    const os = await import("node:os");
    const layoutDir = await mkdtemp(path.join(os.tmpdir(), "dray-pull-"));
    // Nothing listens on this port: the engine's pull fails the way an unreachable registry does.
    const port = await freePort();
    const digest = `sha256:${"e".repeat(64)}` as const;
    const target = await openDockerTarget(
      { name: "local", kind: "docker", host: undefined, network: "dray-pull-test", bind: "127.0.0.1" },
      {
        project: "pulltest",
        env: process.env,
        where: "dray.yaml:3:3",
        locateService: () => "dray.yaml:9:5",
        fromRegistry: true,
      },
    );
    const desired = {
      name: "api",
      imageId: `sha256:${"d".repeat(64)}` as const,
      image: `127.0.0.1:${port}/shop/api@${digest}`,
      specDigest: `sha256:${"c".repeat(64)}` as const,
      spec: {} as never,
    };
    const context = recordingContext();
    try {
      const images = { layout: await openLayout(layoutDir, { create: true }), entries: new Map() };
      const error = await target
        .prepare([{ kind: "create", desired, reasons: ["new"] }], context, images)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        new RegExp(`^api: the engine cannot pull 127\\.0\\.0\\.1:${port}/shop/api@sha256:e{64}: `),
      );
      expect((error as { hint?: string }).hint).toMatch(/was pushed .* can reach the registry/);
    } finally {
      target.close();
      await rm(layoutDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("dray deploy with a registry that needs a login", () => {
  const project = `dr${process.pid}`;
  const password = "s3cret-deploy-pw";
  let dir: string;
  let registry: Awaited<ReturnType<typeof import("../support/registry.js").startRegistry>>;
  let dockerConfig: string;

  beforeAll(async () => {
    const { startRegistry } = await import("../support/registry.js");
    const { mkdtemp } = await import("node:fs/promises");
    const os = await import("node:os");
    registry = await startRegistry({ auth: { user: "dray", password } });
    dockerConfig = await mkdtemp(path.join(os.tmpdir(), "dray-docker-config-"));
    const auth = Buffer.from(`dray:${password}`).toString("base64");
    await writeFile(
      path.join(dockerConfig, "config.json"),
      JSON.stringify({ auths: { [registry.url]: { auth } } }),
    );
    dir = await copyExample("dray-deploy-auth-");
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace(
        "platforms: [linux/amd64, linux/arm64]",
        `platforms: [linux/amd64]\nregistry: ${registry.url}/shop`,
      )
      .replace(/ {6}publish: \["1808[012]:8080"\]\n/g, "");
    await writeFile(file, yaml);
  }, 60_000);

  afterAll(async () => {
    await removeProject(project);
    await registry?.stop();
    await rm(path.dirname(dir), { recursive: true, force: true });
    await rm(dockerConfig, { recursive: true, force: true });
  }, 60_000);

  it("pushes with the user's login and has the engine pull by digest with it, without printing it", async () => {
    const result = await runDray(["deploy", "api"], {
      cwd: dir,
      env: { DOCKER_CONFIG: dockerConfig },
      timeoutMs: 300_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const { stdout } = await run("docker", ["inspect", "-f", "{{.Config.Image}}", `${project}-api`]);
    expect(stdout.trim()).toMatch(new RegExp(`^${registry.url}/shop/api@sha256:[0-9a-f]{64}$`));
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
    expect(`${result.stdout}${result.stderr}`).not.toContain(
      Buffer.from(`dray:${password}`).toString("base64"),
    );
  }, 300_000);
});
