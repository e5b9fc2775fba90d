/**
 * `dependsOn` against the real Docker engine: app asks db once when it starts and exits if db does
 * not answer, and db listens only after a pause. With `app: dependsOn: [db]` the deploy starts app
 * only once db is healthy — read back from the engine: app's start time is after db's "listening"
 * line, and app never had to be restarted. A cycle is a config error with its path.
 */
import { execFile, spawn } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, drayBin, runDray } from "../support/dray.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dep${process.pid}`;

/** The fixture in a temp folder, under this run's project name and on free ports. */
async function projectCopy(name = project): Promise<string> {
  const dir = await copyFixture("depends-on", "dray-depends-");
  const yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
    .replace("project: dependson", `project: ${name}`)
    .replace('"18090:8080"', `"${await freePort()}:8080"`)
    .replace('"18091:8080"', `"${await freePort()}:8080"`);
  await writeFile(path.join(dir, "dray.yaml"), yaml);
  return dir;
}

/** The engine's time of db's "listening" line and app's start, its restarts and its log. */
async function startFacts(name: string) {
  const { stdout: dbLog } = await run("docker", ["logs", "--timestamps", `${name}-db`]);
  const listening = dbLog.split("\n").find((line) => line.endsWith("db: listening"));
  const app = await inspect(`${name}-app`);
  const { stdout: appLog } = await run("docker", ["logs", `${name}-app`]);
  return {
    dbListening: listening ? Date.parse(listening.split(" ")[0]!) : Number.NaN,
    appStarted: Date.parse(app.State.StartedAt),
    appRestarts: app.RestartCount,
    appLog,
  };
}

async function inspect(container: string) {
  const { stdout } = await run("docker", ["inspect", container]);
  const [facts] = JSON.parse(stdout) as {
    RestartCount: number;
    State: { StartedAt: string; Running: boolean };
  }[];
  return facts!;
}

describe("dependsOn on a real Docker engine", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await projectCopy();
  }, 60_000);

  afterAll(async () => {
    await removeProject(project);
    await removeProjectImages(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("starts a service only after the one it depends on is healthy", async () => {
    const result = await runDray(["deploy", "--json"], { cwd: dir, timeoutMs: 300_000 });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { services: { service: string; status: string }[] };
    expect(json.services.map((s) => [s.service, s.status])).toEqual([
      ["app", "done"],
      ["db", "done"],
    ]);
    // The engine's own time stamps: db's "listening" line, and when app's process started.
    const facts = await startFacts(project);
    expect(facts.appStarted).toBeGreaterThanOrEqual(facts.dbListening);
    expect(facts.appRestarts).toBe(0);
    expect(facts.appLog).toBe("app: db answered\n");
    expect((await inspect(`${project}-app`)).State.Running).toBe(true);
  }, 300_000);

  it("a cycle is a config error that prints its path at its line", async () => {
    const broken = path.join(path.dirname(dir), "cycle");
    await cp(dir, broken, { recursive: true });
    const yaml = await readFile(path.join(broken, "dray.yaml"), "utf8");
    const withCycle = yaml.replace(
      "    go: ./services/db\n",
      "    go: ./services/db\n    dependsOn: [app]\n",
    );
    expect(withCycle).not.toBe(yaml);
    await writeFile(path.join(broken, "dray.yaml"), withCycle);
    const fixed = await readFile(path.join(broken, "dray.yaml"), "utf8");
    const line = fixed.split("\n").indexOf("    dependsOn: [db]") + 1;
    const result = await runDray(["deploy"], { cwd: broken, timeoutMs: 60_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `dray.yaml:${line}:17  services.app.dependsOn[0]: the services depend on each other in a cycle: app → db → app`,
    );
  }, 60_000);

  it("dray dev starts the services in the same order", async () => {
    const name = `${project}dev`;
    const devDir = await projectCopy(name);
    const child = spawn(process.execPath, [drayBin, "dev", "--no-dashboard"], {
      cwd: devDir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    try {
      const deadline = Date.now() + 240_000;
      while (!output.includes("watching ") && child.exitCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      expect(output).toContain("watching ");
      const facts = await startFacts(name);
      // Behind dev mode's supervisor a process that exits is started again inside the same
      // container: its log, not the restart count, tells whether app ever started too early.
      expect(facts.appLog).toBe("app: db answered\n");
      expect(facts.appStarted).toBeGreaterThanOrEqual(facts.dbListening);
    } finally {
      child.kill("SIGINT");
      await new Promise((resolve) => child.once("close", resolve));
      await removeProject(name);
      await removeProjectImages(name);
      await rm(path.dirname(devDir), { recursive: true, force: true });
    }
  }, 300_000);
});
