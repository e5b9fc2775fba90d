/**
 * Discovery against the real Go toolchain on a small monorepo in a temporary directory: which
 * packages count, how they are named, and what the user sees when Go is missing or fails.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { discoverGoMainPackages } from "./discover.js";

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

describe("discoverGoMainPackages", () => {
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

  it("finds the main packages of every module, named by directory, with collisions told apart", async () => {
    expect(await discoverGoMainPackages(root)).toEqual([
      { name: "api", package: "./services/api", module: "example.com/shop" },
      { name: "orders-server", package: "./services/orders/cmd/server", module: "example.com/shop" },
      { name: "gen", package: "./tools/gen", module: "example.com/shop" },
      { name: "workers-server", package: "./workers/cmd/server", module: "example.com/workers" },
    ]);
  });

  it("finds nothing where there is no go.mod", async () => {
    const empty = await tempDir();
    await writeTree(empty, { "main.go": main });
    expect(await discoverGoMainPackages(empty)).toEqual([]);
  });

  it("names a main package at the root after the root directory", async () => {
    const parent = await tempDir();
    const single = path.join(parent, "Hello World");
    await writeTree(single, { "go.mod": "module hello\n\ngo 1.21\n", "main.go": main });
    expect(await discoverGoMainPackages(single)).toEqual([
      { name: "hello-world", package: ".", module: "hello" },
    ]);
  });
});

describe("discoverGoMainPackages and cgo", () => {
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
    expect(await discoverGoMainPackages(root, { env: { ...process.env, CGO_ENABLED: "0" } })).toEqual([
      { name: "plain", package: "./cmd/plain", module: "example.com/rt" },
      {
        name: "rt",
        package: "./cmd/rt",
        module: "example.com/rt",
        cgo: { packages: ["example.com/rt/native"], only: ["example.com/rt/native"] },
      },
    ]);
  });
});

describe("discoverGoMainPackages when Go cannot help", () => {
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
    const error = await discoverGoMainPackages(root, await options()).catch((e: unknown) => e);
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
    const error = (await discoverGoMainPackages(root).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`go list failed in ${root}`);
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.details).toMatch(/go\.mod:5: syntax error \(unterminated block started at go\.mod:4:1\)/);
  });
});
