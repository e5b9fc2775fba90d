/**
 * `dependsOn` against the real Docker engine: app asks db once when it starts and exits if db does
 * not answer, and db listens only after a pause. With `app: dependsOn: [db]` the deploy starts app
 * only once db is healthy — read back from the engine: app's start time is after db's "listening"
 * line, and app never had to be restarted. A cycle is a config error with its path.
 */
import { execFile } from "node:child_process";
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, runDray } from "../support/dray.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dep${process.pid}`;

/** The fixture in a temp folder, under this run's project name and on free ports. */
async function projectCopy(): Promise<string> {
  const dir = await copyFixture("depends-on", "dray-depends-");
  const yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
    .replace("project: dependson", `project: ${project}`)
    .replace('"18090:8080"', `"${await freePort()}:8080"`)
    .replace('"18091:8080"', `"${await freePort()}:8080"`);
  await writeFile(path.join(dir, "dray.yaml"), yaml);
  return dir;
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
    const { stdout: dbLog } = await run("docker", ["logs", "--timestamps", `${project}-db`]);
    const listening = dbLog.split("\n").find((line) => line.endsWith("db: listening"));
    expect(listening, dbLog).toBeDefined();
    const app = await inspect(`${project}-app`);
    expect(Date.parse(app.State.StartedAt)).toBeGreaterThanOrEqual(Date.parse(listening!.split(" ")[0]!));
    expect(app.RestartCount).toBe(0);
    expect(app.State.Running).toBe(true);
    const { stdout: appLog } = await run("docker", ["logs", `${project}-app`]);
    expect(appLog).toBe("app: db answered\n");
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
});
