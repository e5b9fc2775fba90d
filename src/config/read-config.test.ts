/**
 * The shell around the pure core, on a real temporary directory: finding dray.yaml, naming it
 * relative to where the user is, and turning problems into one UserError.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { loadConfig } from "./read-config.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dray-read-config-"));
  await mkdir(path.join(root, "services", "api"), { recursive: true });
  await mkdir(path.join(root, "other"), { recursive: true });
  await writeFile(path.join(root, "dray.yaml"), "project: shop\nservices:\n  api:\n    go: ./services/api\n");
  await writeFile(
    path.join(root, "other", "broken.yaml"),
    [
      "project: shop",
      "platforms: [linux/amd64, linux/amd65]",
      "services:",
      "  api:",
      "    go: ./services/apx",
      "    prots: [8080]",
      "",
    ].join("\n"),
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The UserError `promise` rejects with. */
async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

describe("loadConfig", () => {
  const found: { description: string; cwd: () => string; file?: () => string }[] = [
    { description: "in the directory itself", cwd: () => root },
    { description: "by walking up from a subdirectory", cwd: () => path.join(root, "services", "api") },
    { description: "as an explicit file", cwd: () => os.tmpdir(), file: () => path.join(root, "dray.yaml") },
    {
      description: "as an explicit directory holding dray.yaml",
      cwd: () => path.join(root, "other"),
      file: () => "..",
    },
  ];
  it.each(found)("finds dray.yaml $description", async ({ cwd, file }) => {
    const config = await loadConfig({ cwd: cwd(), ...(file ? { file: file() } : {}), env: {} });
    expect([config.root, config.file, config.services.map((s) => s.name)]).toEqual([
      root,
      path.join(root, "dray.yaml"),
      ["api"],
    ]);
  });

  it("reports every problem in one UserError, the file named relative to the cwd", async () => {
    const error = await userError(
      loadConfig({ cwd: path.join(root, "services"), file: "../other/broken.yaml", env: {} }),
    );
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe("../other/broken.yaml has 3 problems");
    expect(error.details?.split("\n")).toEqual([
      `../other/broken.yaml:2:26  platforms[1]: "linux/amd65" is not a platform — allowed: linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6, linux/386, linux/ppc64le, linux/s390x, linux/riscv64`,
      "../other/broken.yaml:5:9  services.api.go: directory ./services/apx does not exist",
      '../other/broken.yaml:6:5  services.api.prots: unknown key "prots" — did you mean "ports"?',
    ]);
    expect(error.hint).toBe(
      "See the configuration reference in README.md, or point your editor at schema/dray.schema.json.",
    );
  });

  it("names locations relative to the cwd in the resolved config too", async () => {
    const config = await loadConfig({ cwd: path.join(root, "services"), env: {} });
    expect(config.locate(["services", "api", "go"])).toBe("../dray.yaml:4:9");
  });

  it("reads SOURCE_DATE_EPOCH from the given environment", async () => {
    const config = await loadConfig({ cwd: root, env: { SOURCE_DATE_EPOCH: "1700000000" } });
    expect(config.sourceDateEpoch).toBe(1700000000);
  });

  const missing: { description: string; cwd: () => string; file?: string; message: () => string }[] = [
    {
      description: "no dray.yaml anywhere up the tree",
      cwd: () => os.tmpdir(),
      message: () => `no dray.yaml found in ${os.tmpdir()} or any directory above it`,
    },
    {
      description: "an explicit file that does not exist",
      cwd: () => root,
      file: "nope.yaml",
      message: () => "nope.yaml does not exist",
    },
    {
      description: "an explicit directory without dray.yaml",
      cwd: () => root,
      file: "services",
      message: () => "services does not exist (no dray.yaml in it)",
    },
  ];
  it.each(missing)("says to run dray init for $description", async ({ cwd, file, message }) => {
    // Assumes no dray.yaml in the system's temporary directory or above it, as on any clean machine.
    const error = await userError(loadConfig({ cwd: cwd(), ...(file ? { file } : {}), env: {} }));
    expect([error.message, error.exitCode, error.hint]).toEqual([
      message(),
      ExitCode.usage,
      "Run `dray init` in the root of your monorepo to write one for its Go services.",
    ]);
  });

  it("loads the example monorepo's dray.yaml", async () => {
    const example = path.resolve(import.meta.dirname, "../../examples/shop");
    const config = await loadConfig({ cwd: example, env: {} });
    expect(config.project).toBe("shop");
    expect(config.services.length).toBeGreaterThan(0);
    expect(config.services.map((s) => s.name)).toEqual([...config.services.map((s) => s.name)].sort());
  });
});

describe("loadConfig refuses bytes that are not a dray.yaml", () => {
  const write = async (name: string, data: Buffer | string) => {
    const dir = path.join(root, "bytes", name);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "dray.yaml"), data);
    return dir;
  };

  it("reports invalid UTF-8 at its line instead of reading U+FFFD", async () => {
    const dir = await write(
      "latin1",
      Buffer.concat([
        Buffer.from("project: shop\nservices:\n  api:\n    go: ./caf"),
        Buffer.from([0xe9, 0x0a]),
      ]),
    );
    const error = await userError(loadConfig({ cwd: dir, env: {} }));
    expect([error.exitCode, error.message]).toEqual([ExitCode.usage, "dray.yaml has 1 problem"]);
    expect(error.details).toMatch(/^dray\.yaml:4:14 {2}invalid UTF-8 \(byte 0xE9\)/);
  });

  it("reports a UTF-16 file as such, not as a file that is not a map", async () => {
    const text = "project: shop\nservices:\n  api:\n    go: ./services/api\n";
    const dir = await write(
      "utf16",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    );
    const error = await userError(loadConfig({ cwd: dir, env: {} }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.details).toMatch(/^dray\.yaml:1:1 {2}the file is UTF-16/);
  });

  it("refuses a file over the size limit before reading it", async () => {
    const dir = await write("huge", `project: shop\n# ${"x".repeat(5 * 1024 * 1024)}\n`);
    const error = await userError(loadConfig({ cwd: dir, env: {} }));
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.message).toBe("dray.yaml is 5.0 MiB; dray reads at most 4.0 MiB of configuration");
    expect(error.hint).toMatch(/wrong file/);
  });
});
