/**
 * dray in CI, the way a pipeline runs it: three separate checkouts ("runners") each build their
 * shard of the example with `cache: registry` against a real registry, and a fourth checkout deploys
 * to the real Docker engine, finding every image in the registry and compiling nothing. The shards
 * run one after another here, so the later ones see what the earlier ones pushed: they must still
 * reach the same assignment.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";

const project = `ci${process.pid}`;
let registry: TestRegistry;
const dirs: string[] = [];

interface ShardJson {
  services: { name: string; cached: boolean; platforms: { timings: { compile: number } }[] }[];
  push?: { service: string }[];
  shard: {
    index: number;
    count: number;
    run: string;
    services: { service: string; shard?: number; action: string; cost?: number }[];
  };
}

interface DeployJson {
  services: { service: string; status: string; action: string }[];
  build: { service: string; cached: boolean; fromRegistry: boolean; compileMs: number }[];
}

/** A fresh checkout of the example: one runner's working copy, its own .dray, the shared registry. */
async function checkout(ports: Record<string, number>): Promise<string> {
  const dir = await copyExample("dray-ci-");
  dirs.push(path.dirname(dir));
  const yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
    .replace("project: shop", `project: ${project}`)
    .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
    .replace('"18080:8080"', `"${ports.api}:8080"`)
    .replace('"18081:8080"', `"${ports.orders}:8080"`)
    .replace('"18082:8080"', `"${ports.users}:8080"`);
  await writeFile(
    path.join(dir, "dray.yaml"),
    `${yaml}registry: ${registry.url}/${project}\ncache: registry\nsbom: false\n`,
  );
  return dir;
}

async function shard(dir: string, spec: string): Promise<ShardJson> {
  const result = await runDray(["build", "--shard", spec, "--push", "--json"], {
    cwd: dir,
    timeoutMs: 400_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ShardJson;
}

/** service → shard, as one shard's report states the whole run's assignment. */
function assignment(report: ShardJson): Record<string, number | undefined> {
  return Object.fromEntries(report.shard.services.map((s) => [s.service, s.shard]));
}

/** Edits a service's source the same way in every checkout: one commit, seen by every runner. */
async function editOrders(dir: string): Promise<void> {
  const main = path.join(dir, "services/orders/main.go");
  await writeFile(main, (await readFile(main, "utf8")).replace("ready to take orders", "taking orders"));
}

beforeAll(async () => {
  registry = await startRegistry();
}, 60_000);
afterAll(async () => {
  await removeProject(project).catch(() => undefined);
  await removeProjectImages(project).catch(() => undefined);
  await registry?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}, 60_000);

describe("sharded CI builds through the registry", () => {
  const runners: string[] = [];
  const reports: ShardJson[] = [];

  beforeAll(async () => {
    const ports = { api: await freePort(), orders: await freePort(), users: await freePort() };
    for (let i = 0; i < 4; i++) runners.push(await checkout(ports));
  }, 60_000);

  it("three runners build shards 1/3, 2/3 and 3/3: every service exactly once, all agreeing on who builds what", async () => {
    for (const [i, spec] of ["1/3", "2/3", "3/3"].entries()) reports.push(await shard(runners[i]!, spec));

    // The later shards saw the earlier ones' pushes and still computed the same assignment.
    expect(new Set(reports.map((r) => r.shard.run)).size).toBe(1);
    expect(assignment(reports[1]!)).toEqual(assignment(reports[0]!));
    expect(assignment(reports[2]!)).toEqual(assignment(reports[0]!));
    const builtBy = reports.map((r) =>
      r.shard.services.filter((s) => s.action === "built").map((s) => s.service),
    );
    expect(builtBy.flat().sort()).toEqual(["api", "orders", "users", "web"]);
    // Four services with no recorded costs yet, three shards: nobody is idle.
    expect(builtBy.every((names) => names.length >= 1)).toBe(true);
    for (const [i, report] of reports.entries()) {
      const mine = builtBy[i]!;
      // A shard's build covers only its own services, compiled or packed there, and pushes them.
      expect(report.services.map((s) => s.name).sort()).toEqual([...mine].sort());
      expect(report.services.every((s) => !s.cached)).toBe(true);
      expect(report.push!.map((p) => p.service).sort()).toEqual([...mine].sort());
      const skipped = report.shard.services.filter((s) => s.action === "skipped");
      expect(skipped.map((s) => s.service).sort()).toEqual(
        builtBy
          .flat()
          .filter((n) => !mine.includes(n))
          .sort(),
      );
      expect(skipped.every((s) => s.shard !== report.shard.index)).toBe(true);
    }
  }, 1_500_000);

  it("a fourth runner deploys to the engine from the registry and compiles nothing", async () => {
    if (process.env["DRAY_TEST_ENGINE_ERROR"]) throw new Error(process.env["DRAY_TEST_ENGINE_ERROR"]);
    const result = await runDray(["deploy", "--json"], { cwd: runners[3]!, timeoutMs: 400_000 });
    expect(result.code, result.stderr).toBe(0);
    const deployed = JSON.parse(result.stdout) as DeployJson;
    expect(deployed.build.map((b) => [b.service, b.cached, b.fromRegistry, b.compileMs])).toEqual([
      ["api", true, true, 0],
      ["orders", true, true, 0],
      ["users", true, true, 0],
    ]);
    expect(deployed.services.map((s) => [s.service, s.status])).toEqual([
      ["api", "done"],
      ["orders", "done"],
      ["users", "done"],
    ]);
  }, 600_000);

  it("after one service changes, only it is assigned, at the build time the registry recorded (shards at once)", async () => {
    for (const dir of runners) await editOrders(dir);
    const again: ShardJson[] = [];
    // This time the three run at the same moment, as a CI matrix does.
    again.push(...(await Promise.all(["1/3", "2/3", "3/3"].map((spec, i) => shard(runners[i]!, spec)))));
    // A new commit is a new run; its shards agree on it.
    expect(new Set(again.map((r) => r.shard.run)).size).toBe(1);
    expect(again[0]!.shard.run).not.toBe(reports[0]!.shard.run);
    for (const report of again) {
      const byService = Object.fromEntries(report.shard.services.map((s) => [s.service, s]));
      // What the registry already had is no shard's work.
      for (const name of ["api", "users", "web"])
        expect(byService[name]).toEqual({ service: name, action: "cached" });
      expect(byService["orders"]!.cost).toBeGreaterThan(0);
    }
    const builders = again.filter((r) => r.shard.services.some((s) => s.action === "built"));
    expect(builders).toHaveLength(1);
    expect(builders[0]!.services.map((s) => s.name)).toEqual(["orders"]);
    // Its recorded cost is the time the first round spent building it.
    const first = reports.find((r) => r.services.some((s) => s.name === "orders"))!;
    expect(builders[0]!.shard.services.find((s) => s.service === "orders")!.cost).toBeGreaterThanOrEqual(
      Math.floor(first.services.find((s) => s.name === "orders")!.platforms[0]!.timings.compile),
    );
  }, 1_500_000);
});

describe("sharded builds with only a local cache", () => {
  it("two shards run one after the other in one checkout agree, and build every service once", async () => {
    const dir = await copyExample("dray-ci-local-");
    dirs.push(path.dirname(dir));
    const runs: ShardJson[] = [];
    for (const spec of ["1/2", "2/2"]) {
      const result = await runDray(["build", "--shard", spec, "--json"], { cwd: dir, timeoutMs: 400_000 });
      expect(result.code, result.stderr).toBe(0);
      runs.push(JSON.parse(result.stdout) as ShardJson);
    }
    // The second shard finds the first one's images in the cache they share, marked as this run's.
    expect(assignment(runs[1]!)).toEqual(assignment(runs[0]!));
    const built = runs.flatMap((r) =>
      r.shard.services.filter((s) => s.action === "built").map((s) => s.service),
    );
    expect(built.sort()).toEqual(["api", "orders", "users", "web"]);
  }, 900_000);
});
