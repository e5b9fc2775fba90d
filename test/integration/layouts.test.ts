/**
 * dray on small repositories laid out the way real ones are (test/fixtures): a root main whose
 * module is not named like its directory, generic leaf names, a nested module without mains, a
 * vendored module, a go.work workspace. For each: what `dray init` writes and says, a build, and
 * `dray verify` finding every image identical; then what each layout adds (GOFLAGS, go.work,
 * vendored files, a too-new go line, --add, --exclude).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestsOf, repoRoot, runDray } from "../support/dray.js";

const fixtures = path.join(repoRoot, "test", "fixtures");
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A copy of test/fixtures/NAME at a new temporary path, under its own name (the project's name). */
async function copyFixture(name: string): Promise<string> {
  const parent = await mkdtemp(path.join(os.tmpdir(), `dray-layout-${name}-`));
  dirs.push(parent);
  await cp(path.join(fixtures, name), path.join(parent, name), { recursive: true });
  return path.join(parent, name);
}

/** GOFLAGS as CI systems often set it for vendored repositories. */
const vendorFlags = { GOFLAGS: "-mod=vendor" };
const noteReadonly = "but the module has no vendor directory; go runs there with -mod=readonly";

const layouts: {
  name: string;
  description: string;
  env?: NodeJS.ProcessEnv;
  stdout: string[];
  built: string[];
}[] = [
  {
    name: "root-main",
    description: "a root main named after its module; test and tool mains commented out",
    stdout: [
      "wrote dray.yaml with 1 service: greeter",
      "test and tool programs, written commented out: gen-docs, fake-upstream",
    ],
    built: ["greeter"],
  },
  {
    name: "generic-names",
    description: "cmd/, server/ and app/ leaves named after the directory above them",
    stdout: [
      "wrote dray.yaml with 5 services: billing, platformctl, inventory-app, inventory-server, orders",
    ],
    built: ["billing", "inventory-app", "inventory-server", "orders", "platformctl"],
  },
  {
    name: "nested-module",
    description: "a nested module without mains, required through replace, under GOFLAGS=-mod=vendor",
    env: vendorFlags,
    stdout: [
      "wrote dray.yaml with 1 service: api",
      `note: .: GOFLAGS asks for -mod=vendor, ${noteReadonly}`,
      `note: ./lib: GOFLAGS asks for -mod=vendor, ${noteReadonly}`,
    ],
    built: ["api"],
  },
  {
    name: "vendored",
    description: "a vendored module beside an unvendored nested one, under GOFLAGS=-mod=vendor",
    env: vendorFlags,
    stdout: [
      "wrote dray.yaml with 1 service: hello",
      `note: ./pkg/apis: GOFLAGS asks for -mod=vendor, ${noteReadonly}`,
    ],
    built: ["hello"],
  },
  {
    name: "workspace",
    description: "a go.work workspace of two modules, one importing the other",
    stdout: ["wrote dray.yaml with 1 service: api"],
    built: ["api"],
  },
];

describe.each(layouts)("$name: $description", ({ name, env, stdout, built }) => {
  let root: string;
  beforeAll(async () => {
    root = await copyFixture(name);
  });

  it("dray init writes the expected dray.yaml and says what it did", async () => {
    const result = await runDray(["init"], { cwd: root, env: { ...env } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${[...stdout, "next: review it, then run `dray build`"].join("\n")}\n`);
    const expected = await readFile(path.join(fixtures, `${name}.init.yaml`), "utf8");
    expect(await readFile(path.join(root, "dray.yaml"), "utf8")).toBe(expected);
  });

  it("builds every service", async () => {
    const result = await runDray(["build", "--json"], { cwd: root, env: { ...env } });
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(digestsOf(result.stdout)).sort()).toEqual(built.map((s) => `${s} linux/amd64`));
  });

  it("dray verify finds every image identical", async () => {
    const result = await runDray(["verify", "--json"], { cwd: root, env: { ...env } });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { identical: boolean; results: unknown[] };
    expect([report.identical, report.results.length]).toEqual([true, built.length]);
  });
});

/** `dray plan --json` as "service status reason" lines. */
async function plan(root: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const result = await runDray(["plan", "--json"], { cwd: root, env });
  expect(result.code, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as {
    services: { service: string; status: string; reason: string }[];
  };
  return report.services.map((s) => `${s.service} ${s.status} ${s.reason}`.trim());
}

describe("what each layout adds", () => {
  it("vendored: -mod is decided per module and never enters the key; vendored files do", async () => {
    const root = await copyFixture("vendored");
    expect((await runDray(["init"], { cwd: root })).code).toBe(0);
    const withFlags = await runDray(["build", "--json"], { cwd: root, env: vendorFlags });
    expect(withFlags.code, withFlags.stderr).toBe(0);
    // The same binary without GOFLAGS, built afresh: -mod=vendor is what go does here anyway.
    const without = await runDray(["build", "--json", "--no-cache"], { cwd: root, env: { GOFLAGS: "" } });
    expect(without.code, without.stderr).toBe(0);
    expect(digestsOf(without.stdout)).toEqual(digestsOf(withFlags.stdout));
    expect(await plan(root, { GOFLAGS: "-mod=vendor -modcacherw -p=1 -x" })).toEqual(["hello unchanged"]);
    expect(await plan(root, { GOFLAGS: "-mod=vendor -tags=netgo" })).toEqual([
      "hello changed setting go.GOFLAGS",
    ]);
    const vendored = path.join(root, "vendor/example.com/quote/quote.go");
    await writeFile(vendored, (await readFile(vendored, "utf8")).replace("Hello, world.", "Hello, vendor."));
    expect(await plan(root)).toEqual(["hello changed package example.com/quote"]);
  });

  it("workspace: go.work and the other module's files are in the key", async () => {
    const root = await copyFixture("workspace");
    expect((await runDray(["init"], { cwd: root })).code).toBe(0);
    expect((await runDray(["build"], { cwd: root })).code).toBe(0);
    const lib = path.join(root, "lib/greet/greet.go");
    await writeFile(lib, (await readFile(lib, "utf8")).replace('"hi"', '"hello"'));
    expect(await plan(root)).toEqual(["api changed package example.com/ws/lib/greet"]);
    await writeFile(path.join(root, "go.work"), "go 1.23\n\nuse (\n\t./api\n\t./lib\n)\n");
    expect((await plan(root))[0]).toMatch(/^api changed .*setting go\.work/);
    const why = await runDray(["why", "api"], { cwd: root });
    expect(why.stdout).toContain(
      "setting go.work: go 1.22; use ./api; use ./lib → go 1.23; use ./api; use ./lib",
    );
  });

  it("root-main: a go line newer than the toolchain is an environment error naming both", async () => {
    const root = await copyFixture("root-main");
    expect((await runDray(["init"], { cwd: root })).code).toBe(0);
    await writeFile(path.join(root, "go.mod"), "module example.com/acme/greeter\n\ngo 1.99\n");
    const result = await runDray(["build"], { cwd: root });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /error: module example\.com\/acme\/greeter needs Go 1\.99 or newer \(go 1\.99 in go\.mod\), but the Go toolchain is go1\.\d+/,
    );
    expect(result.stderr).toMatch(/hint: Install Go 1\.99 or newer/);
  });

  it("generic-names: init on an existing dray.yaml shows the new mains, --add adds them, --exclude leaves some out", async () => {
    const root = await copyFixture("generic-names");
    expect((await runDray(["init"], { cwd: root })).code).toBe(0);
    expect((await runDray(["build"], { cwd: root })).code).toBe(0);
    const main = "package main\n\nfunc main() {}\n";
    await cp(path.join(root, "billing"), path.join(root, "shipping"), { recursive: true });
    await cp(path.join(root, "billing"), path.join(root, "tools/seed"), { recursive: true });
    await writeFile(path.join(root, "tools/seed/cmd/main.go"), main);
    const before = await readFile(path.join(root, "dray.yaml"), "utf8");

    const preview = await runDray(["init"], { cwd: root });
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toBe(
      [
        "dray.yaml exists; 2 main packages are not in it yet. Add these entries under `services:` (or run `dray init --add`):",
        "",
        "  shipping:",
        "    go: ./shipping/cmd",
        "  # Test and tool programs (in a directory named test, tests, testdata, e2e, example, examples,",
        "  # hack or tools), not built unless uncommented:",
        "  # seed:",
        "  #   go: ./tools/seed/cmd",
        "",
        "",
      ].join("\n"),
    );
    expect(await readFile(path.join(root, "dray.yaml"), "utf8")).toBe(before);

    const added = await runDray(["init", "--add"], { cwd: root });
    expect(added.stdout).toBe(
      "added 1 service to dray.yaml: shipping\ntest and tool programs, written commented out: seed\nnext: review it, then run `dray build`\n",
    );
    expect(await readFile(path.join(root, "dray.yaml"), "utf8")).toMatch(
      /^# dray\.yaml[\s\S]* {2}shipping:\n {4}go: \.\/shipping\/cmd\n/,
    );
    const build = await runDray(["build", "--json"], { cwd: root });
    expect(build.code, build.stderr).toBe(0);
    const statuses = (JSON.parse(build.stdout) as { services: { name: string; cached: boolean }[] }).services;
    expect(statuses.filter((s) => !s.cached).map((s) => s.name)).toEqual(["shipping"]);

    const excluded = await runDray(["init", "--force", "--exclude", "inventory", "--exclude", "cmd/*"], {
      cwd: root,
    });
    expect(excluded.stdout.split("\n").slice(0, 2)).toEqual([
      "wrote dray.yaml with 3 services: billing, orders, shipping",
      "test and tool programs, written commented out: seed",
    ]);
    expect(excluded.stdout).toContain(
      "excluded by --exclude: ./cmd/platformctl (cmd/*), ./inventory/app (inventory), ./inventory/cmd/server (inventory)",
    );
  });
});
