/**
 * Discovery against the real Go toolchain on a small monorepo in a temporary directory: which
 * packages count, how they are named, and what the user sees when Go is missing or fails.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { discoverGoProject } from "./discover.js";

const main = "package main\n\nfunc main() {}\n";

/** Writes `files` (relative path → content) below `root`. */
async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
}

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "dray-discover-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("discoverGoProject", () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir();
    await writeTree(root, {
      "go.mod": "module example.com/shop\n\ngo 1.21\n",
      "services/api/main.go": main,
      "services/orders/cmd/server/main.go": main,
      "services/orders/cmd/server/main_test.go": "package main\n",
      "internal/money/money.go": "package money\n",
      // A broken import must not hide the package: its name comes from the package clause.
      "tools/gen/main.go": 'package main\n\nimport _ "example.com/not/downloaded"\n\nfunc main() {}\n',
      "workers/go.mod": "module example.com/workers\n\ngo 1.21\n",
      "workers/cmd/server/main.go": main,
      // Never services: Go's test data, vendored code, dependencies, hidden directories.
      "testdata/go.mod": "module example.com/testdata\n\ngo 1.21\n",
      "testdata/main.go": main,
      "node_modules/x/go.mod": "module example.com/x\n\ngo 1.21\n",
      "node_modules/x/main.go": main,
      ".cache/go.mod": "module example.com/cache\n\ngo 1.21\n",
      ".cache/main.go": main,
    });
  });

  it("finds the main packages of every module, named by import path, tools set aside", async () => {
    const shop = "example.com/shop";
    expect((await discoverGoProject(root)).mains).toEqual([
      { name: "api", package: "./services/api", module: shop, importPath: `${shop}/services/api` },
      {
        name: "orders",
        package: "./services/orders/cmd/server",
        module: shop,
        importPath: `${shop}/services/orders/cmd/server`,
      },
      { name: "gen", package: "./tools/gen", module: shop, importPath: `${shop}/tools/gen`, aside: "tools" },
      {
        name: "workers",
        package: "./workers/cmd/server",
        module: "example.com/workers",
        importPath: "example.com/workers/cmd/server",
      },
    ]);
  });

  it("lists every module with how go runs in it", async () => {
    const modules = (await discoverGoProject(root)).modules;
    expect(modules.map((m) => [m.dir, m.path, m.goVersion, m.vendor, m.workspace, m.mod, m.mains])).toEqual([
      [".", "example.com/shop", "1.21", "none", undefined, "readonly", 3],
      ["./workers", "example.com/workers", "1.21", "none", undefined, "readonly", 1],
    ]);
  });

  it("leaves out what --exclude matches: a directory and everything below it", async () => {
    const found = await discoverGoProject(root, { exclude: ["services/orders", "./tools/"] });
    expect(found.mains.map((m) => m.package)).toEqual(["./services/api", "./workers/cmd/server"]);
    expect(found.excluded).toEqual([
      { package: "./services/orders/cmd/server", pattern: "services/orders" },
      { package: "./tools/gen", pattern: "./tools/" },
    ]);
  });

  it("finds nothing where there is no go.mod", async () => {
    const empty = await tempDir();
    await writeTree(empty, { "main.go": main });
    expect(await discoverGoProject(empty)).toEqual({ modules: [], mains: [], excluded: [] });
  });

  it("names a main package at the root after its module, not the directory", async () => {
    const parent = await tempDir();
    const single = path.join(parent, "Hello World");
    await writeTree(single, { "go.mod": "module example.com/acme/hello\n\ngo 1.21\n", "main.go": main });
    expect((await discoverGoProject(single)).mains).toEqual([
      { name: "hello", package: ".", module: "example.com/acme/hello", importPath: "example.com/acme/hello" },
    ]);
  });
});

describe("discoverGoProject: modules without main packages never stop it", () => {
  const cases: {
    description: string;
    files: Record<string, string>;
    env?: NodeJS.ProcessEnv;
    lib: object;
  }[] = [
    {
      description: "GOFLAGS=-mod=vendor and a nested module with requirements but no vendor/",
      files: { "lib/go.mod": "module example.com/lib\n\ngo 1.21\n\nrequire example.com/missing v1.0.0\n" },
      env: { GOFLAGS: "-mod=vendor" },
      lib: {
        mod: "readonly",
        note: "GOFLAGS asks for -mod=vendor, but the module has no vendor directory; go runs there with -mod=readonly",
      },
    },
    {
      description: "a module that needs a newer Go than the toolchain",
      files: { "lib/go.mod": "module example.com/lib\n\ngo 1.99\n" },
      lib: { skipped: expect.stringMatching(/^needs Go 1\.99, the toolchain is go1\.\d+/) },
    },
    {
      description: "a module go cannot load",
      files: { "lib/go.mod": "module example.com/lib\n\ngo 1.21\nrequire (\n" },
      lib: { skipped: "go list fails in it" },
    },
  ];
  it.each(cases)("$description", async ({ files, env, lib }) => {
    const root = await tempDir();
    await writeTree(root, {
      "go.mod": "module example.com/app\n\ngo 1.21\n",
      "main.go": main,
      "lib/money/money.go": "package money\n",
      ...files,
    });
    const found = await discoverGoProject(root, { env: { ...process.env, ...env } });
    expect(found.mains.map((m) => m.name)).toEqual(["app"]);
    expect(found.modules.map((m) => m.dir)).toEqual([".", "./lib"]);
    expect(found.modules[1]).toMatchObject({ mains: 0, ...lib });
  });

  it("a module that needs a newer Go and holds a main package is an environment error naming both", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "go.mod": "module example.com/app\n\ngo 1.21\n",
      "main.go": main,
      "next/go.mod": "module example.com/next\n\ngo 1.99\n",
      "next/cmd/next/main.go": main,
    });
    const error = (await discoverGoProject(root).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(
      /^module example\.com\/next needs Go 1\.99 or newer \(go 1\.99 in next\/go\.mod\), but the Go toolchain is go1\.\d+/,
    );
  });

  it("a go.work workspace: each module lists its own mains, built in the workspace", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "go.work": "go 1.22\n\nuse (\n\t.\n\t./plugins\n)\n",
      "go.mod": "module example.com/host\n\ngo 1.21\n",
      "main.go": main,
      "plugins/go.mod": "module example.com/plugins\n\ngo 1.21\n",
      "plugins/cmd/plug/main.go": main,
      "other/go.mod": "module example.com/other\n\ngo 1.21\n",
      "other/main.go": main,
    });
    const found = await discoverGoProject(root);
    expect(found.mains.map((m) => [m.name, m.package, m.module])).toEqual([
      ["host", ".", "example.com/host"],
      ["other", "./other", "example.com/other"],
      ["plug", "./plugins/cmd/plug", "example.com/plugins"],
    ]);
    expect(found.modules.map((m) => [m.dir, m.workspace, m.mains])).toEqual([
      [".", "./go.work", 1],
      ["./other", undefined, 1],
      ["./plugins", "./go.work", 1],
    ]);
  });
});

describe("discoverGoProject and cgo", () => {
  it("marks the mains whose closure has cgo files, naming the packages with nothing else", async () => {
    const root = await tempDir();
    await writeTree(root, {
      "go.mod": "module example.com/rt\n\ngo 1.21\n",
      "native/native.go":
        'package native\n\n// int answer(void) { return 42; }\nimport "C"\n\nfunc Answer() int { return int(C.answer()) }\n',
      "cmd/rt/main.go":
        'package main\n\nimport "example.com/rt/native"\n\nfunc main() { println(native.Answer()) }\n',
      // net has cgo files of its own: that is no reason for cgo.
      "cmd/plain/main.go": 'package main\n\nimport _ "net"\n\nfunc main() {}\n',
    });
    // cgo is listed on even where the environment turns it off: the user's own go build would have it on.
    expect((await discoverGoProject(root, { env: { ...process.env, CGO_ENABLED: "0" } })).mains).toEqual([
      {
        name: "plain",
        package: "./cmd/plain",
        module: "example.com/rt",
        importPath: "example.com/rt/cmd/plain",
      },
      {
        name: "rt",
        package: "./cmd/rt",
        module: "example.com/rt",
        importPath: "example.com/rt/cmd/rt",
        cgo: { packages: ["example.com/rt/native"], only: ["example.com/rt/native"] },
      },
    ]);
  });
});

describe("discoverGoProject when Go cannot help", () => {
  const hint =
    "Install Go 1.21 or newer (Debian: apt-get install golang-go, or golang-1.23-go from bookworm-backports) " +
    "and make sure `go` is on PATH, or set DRAY_GO to its path.";
  const cases: {
    description: string;
    options: () => Promise<{ go?: string; env?: NodeJS.ProcessEnv }>;
    message: string;
  }[] = [
    {
      description: "no go on PATH",
      options: async () => ({ env: { PATH: await tempDir() } }),
      message: "Go was not found (no go on PATH)",
    },
    {
      description: "an explicit go binary that does not exist",
      options: async () => ({ go: "/nonexistent/bin/go" }),
      message: "Go was not found at /nonexistent/bin/go",
    },
  ];
  it.each(cases)("says how to install Go: $description", async ({ options, message }) => {
    const root = await tempDir();
    await writeTree(root, { "go.mod": "module m\n\ngo 1.21\n", "main.go": main });
    const error = await discoverGoProject(root, await options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect([(error as UserError).message, (error as UserError).exitCode, (error as UserError).hint]).toEqual([
      message,
      ExitCode.environment,
      hint,
    ]);
  });

  it("shows go list's own output when it fails", async () => {
    const root = await tempDir();
    await writeTree(root, { "go.mod": "module m\n\ngo 1.21\nrequire (\n", "main.go": main });
    const error = (await discoverGoProject(root).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`go list failed in ${root}`);
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.details).toMatch(/go\.mod:5: syntax error \(unterminated block started at go\.mod:4:1\)/);
  });
});
