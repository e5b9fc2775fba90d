/**
 * Only what changed: input keys skip builds, output identity recognises rebuilds that changed
 * nothing, and `dray plan` / `dray why` say why. Runs real Go builds on copies of the example.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";

interface BuildJson {
  services: {
    name: string;
    status: string;
    cached: boolean;
    change: string;
    key: string;
    platforms: { platform: string; imageId: string; timings: { compile: number } }[];
  }[];
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function fresh(): Promise<string> {
  const root = await copyExample("dray-changes-");
  dirs.push(path.dirname(root));
  return root;
}

async function build(root: string): Promise<BuildJson["services"]> {
  const result = await runDray(["build", "--json"], { cwd: root });
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as BuildJson).services;
}

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  await writeFile(file, next);
}

function rebuilt(services: BuildJson["services"]): string[] {
  return services
    .filter((s) => !s.cached)
    .map((s) => s.name)
    .sort();
}

function imageIds(services: BuildJson["services"]): Record<string, string> {
  return Object.fromEntries(
    services.flatMap((s) => s.platforms.map((p) => [`${s.name} ${p.platform}`, p.imageId])),
  );
}

describe("input keys and output identity on the example monorepo", () => {
  let root: string;
  let first: BuildJson["services"];

  beforeAll(async () => {
    root = await fresh();
    first = await build(root);
  });

  it("builds everything the first time and reports every service as new", () => {
    expect(rebuilt(first)).toEqual(["api", "orders", "users", "web"]);
    expect(first.every((s) => s.change === "new")).toBe(true);
  });

  it("touching nothing builds nothing: every service comes from the cache, nothing is compiled", async () => {
    const again = await build(root);
    expect(rebuilt(again)).toEqual([]);
    expect(again.every((s) => s.change === "unchanged")).toBe(true);
    expect(again.flatMap((s) => s.platforms.map((p) => p.timings.compile))).toEqual(
      again.flatMap((s) => s.platforms.map(() => 0)),
    );
    expect(imageIds(again)).toEqual(imageIds(first));
  });

  it("a change to one leaf service rebuilds exactly that one", async () => {
    await edit(
      path.join(root, "services/orders/main.go"),
      "orders: ready to take orders",
      "orders: open for business",
    );
    const after = await build(root);
    expect(rebuilt(after)).toEqual(["orders"]);
    expect(after.find((s) => s.name === "orders")!.change).toBe("changed");
    const before = imageIds(first);
    const now = imageIds(after);
    expect(now["orders linux/amd64"]).not.toBe(before["orders linux/amd64"]);
    expect(now["api linux/amd64"]).toBe(before["api linux/amd64"]);
  });

  it("a comment in the package every Go service shares rebuilds them all, and every image ID stays the same", async () => {
    const before = imageIds(await build(root));
    // Reworded in place: a comment that adds lines would shift the line numbers Go records for stack
    // traces, and then the binary really does change.
    await edit(
      path.join(root, "internal/httpkit/httpkit.go"),
      "// shutdownTimeout bounds how long in-flight requests may finish after SIGTERM;",
      "// shutdownTimeout limits how long requests in flight may finish after a SIGTERM;",
    );
    const plan = await runDray(["plan", "--json"], { cwd: root });
    expect(plan.code, plan.stderr).toBe(0);
    const statuses = Object.fromEntries(
      (JSON.parse(plan.stdout).services as { service: string; status: string }[]).map((e) => [
        e.service,
        e.status,
      ]),
    );
    expect(statuses).toEqual({ api: "changed", orders: "changed", users: "changed", web: "unchanged" });

    const after = await build(root);
    expect(rebuilt(after)).toEqual(["api", "orders", "users"]);
    for (const name of ["api", "orders", "users"]) {
      expect(after.find((s) => s.name === name)!.change).toBe("rebuilt-identical");
    }
    expect(imageIds(after)).toEqual(before);
  });

  it("a behaviour change in a shared package changes exactly its dependents, and `dray why` names the file", async () => {
    await edit(
      path.join(root, "internal/greeting/greeting.go"),
      '"hello from shop"',
      '"welcome to the shop"',
    );
    const why = await runDray(["why", "api"], { cwd: root });
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toMatch(/api: changed/);
    expect(why.stdout).toMatch(/package example\.com\/shop\/internal\/greeting modified/);
    expect(why.stdout).toMatch(/file internal\/greeting\/greeting\.go modified/);

    const after = await build(root);
    expect(rebuilt(after)).toEqual(["api", "users"]);
    expect(after.filter((s) => !s.cached).every((s) => s.change === "changed")).toBe(true);
  });

  it("`dray plan --since` compares with a git revision", async () => {
    // A git history of the copy: commit, change a setting, compare with the commit.
    const git = (args: string[]) => runGit(root, args);
    await git(["init", "-q"]);
    await git(["add", "-A"]);
    await git(["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "base"]);
    await edit(path.join(root, "dray.yaml"), "labels: { team: frontend }", "labels: { team: web }");
    const plan = await runDray(["plan", "--since", "HEAD", "--json"], { cwd: root });
    expect(plan.code, plan.stderr).toBe(0);
    const services = JSON.parse(plan.stdout).services as {
      service: string;
      status: string;
      reason: string;
    }[];
    expect(services.find((s) => s.service === "web")).toMatchObject({
      status: "changed",
      reason: "setting image.config",
    });
    expect(services.filter((s) => s.status !== "unchanged").map((s) => s.service)).toEqual(["web"]);
  });

  it("`dray plan --since` a revision without dray.yaml says so, names no temporary path and leaves none", async () => {
    const dir = await fresh();
    const git = (args: string[]) => runGit(dir, args);
    await git(["init", "-q"]);
    await git(["add", "-A", "--", ".", ":!dray.yaml"]);
    await git(["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "no config yet"]);
    const plan = await runDray(["plan", "--since", "HEAD"], { cwd: dir });
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/dray\.yaml is not in HEAD/);
    expect(plan.stderr).toMatch(/Commit dray\.yaml first/);
    expect(plan.stderr).not.toMatch(/\/tmp\/|since-|\.dray/);
    expect(await readdir(path.join(dir, ".dray", "tmp")).catch(() => [])).toEqual([]);
  });
});

describe("dray graph", () => {
  it("ranks internal packages by how many services a change to them reaches", async () => {
    const root = await fresh();
    const result = await runDray(["graph", "--json"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const graph = JSON.parse(result.stdout) as { packages: { dir: string; services: string[] }[] };
    expect(graph.packages.map((p) => [p.dir, p.services])).toEqual([
      ["internal/httpkit", ["api", "orders", "users"]],
      ["internal/greeting", ["api", "users"]],
      ["internal/money", ["orders"]],
    ]);
    const dot = await runDray(["graph", "--dot"], { cwd: root });
    expect(dot.stdout).toMatch(/^digraph /);
  });
});

describe("keys are independent of where the checkout is", () => {
  it("gives the same keys for the same files in two directories", async () => {
    const a = await fresh();
    const b = await fresh();
    const keysOf = async (root: string) => {
      const result = await runDray(["plan", "--json"], { cwd: root });
      expect(result.code, result.stderr).toBe(0);
      return Object.fromEntries(
        (JSON.parse(result.stdout).services as { service: string; key: string }[]).map((s) => [
          s.service,
          s.key,
        ]),
      );
    };
    const ka = await keysOf(a);
    expect(Object.keys(ka).sort()).toEqual(["api", "orders", "users", "web"]);
    expect(await keysOf(b)).toEqual(ka);
  });
});

describe("a Go module version bump", () => {
  it("changes exactly the services that import the module", async () => {
    const root = await fresh();
    // A vendored third-party module (no module proxy is reachable here), imported by orders only.
    const version = async (v: string, text: string) => {
      await mkdir(path.join(root, "vendor/example.org/units"), { recursive: true });
      await writeFile(
        path.join(root, "vendor/example.org/units/units.go"),
        `// Package units is a stand-in third-party module.\npackage units\n\n// Name is the unit orders are counted in.\nfunc Name() string { return "${text}" }\n`,
      );
      await writeFile(
        path.join(root, "vendor/modules.txt"),
        `# example.org/units ${v}\n## explicit; go 1.21\nexample.org/units\n`,
      );
      await writeFile(
        path.join(root, "go.mod"),
        `module example.com/shop\n\ngo 1.22\n\nrequire example.org/units ${v}\n`,
      );
      await writeFile(
        path.join(root, "go.sum"),
        `example.org/units ${v} h1:${Buffer.from(v).toString("base64")}=\nexample.org/units ${v}/go.mod h1:x=\n`,
      );
    };
    await version("v1.0.0", "pieces");
    await edit(path.join(root, "services/orders/main.go"), /import \(/, 'import (\n\t_ "example.org/units"');
    await build(root);

    await version("v1.1.0", "pieces");
    const plan = await runDray(["plan", "--json"], { cwd: root });
    expect(plan.code, plan.stderr).toBe(0);
    const services = JSON.parse(plan.stdout).services as {
      service: string;
      status: string;
      reason: string;
    }[];
    expect(services.filter((s) => s.status !== "unchanged").map((s) => s.service)).toEqual(["orders"]);
    expect(services.find((s) => s.service === "orders")!.reason).toMatch(
      /module example\.org\/units v1\.1\.0/,
    );
    expect(rebuilt(await build(root))).toEqual(["orders"]);
  });
});

async function runGit(cwd: string, args: string[]): Promise<void> {
  const { execFile } = await import("node:child_process");
  await new Promise<void>((resolve, reject) =>
    execFile("git", args, { cwd }, (error) => (error ? reject(error) : resolve())),
  );
}
