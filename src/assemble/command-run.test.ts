/**
 * A command service's run: what it wrote is moved into the run's own directory, nothing from an
 * earlier or a concurrent run reaches it, and an output that would take dray outside the service's
 * dir is refused before anything is deleted.
 */
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveLines } from "../../test/support/config-lines.js";
import type { CommandService } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { parsePlatform } from "../oci/index.js";
import { runBuildCommand } from "./command-run.js";

let root: string;
beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), "dray-command-run-")));
  await mkdir(path.join(root, "web"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function service(command: string, output = "dist"): CommandService {
  const lines = [
    "project: t",
    "services:",
    "  web:",
    `    command: ${JSON.stringify(command)}`,
    "    dir: web",
  ];
  const config = resolveLines([...lines, `    output: ${output}`], { root });
  return config.services[0] as CommandService;
}

function run(web: CommandService, platform: string, privateOutput: string) {
  return runBuildCommand(web, parsePlatform(platform), {
    env: process.env,
    sourceDateEpoch: 0,
    locks: path.join(root, ".dray", "locks"),
    privateOutput: path.join(root, ".dray", "tmp", privateOutput),
  });
}

async function expectUserError(promise: Promise<unknown>, fragment: string): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).message).toContain(fragment);
  return error as UserError;
}

describe("runBuildCommand", () => {
  it("moves exactly what this run wrote into its own directory", async () => {
    await mkdir(path.join(root, "web", "dist"));
    await writeFile(path.join(root, "web", "dist", "stale.txt"), "from an earlier run");
    const web = service("mkdir -p dist && echo $TARGETARCH > dist/arch.txt");
    const produced = await run(web, "linux/arm64", "out");
    expect(produced).toEqual({
      dir: path.join(root, ".dray", "tmp", "out"),
      origin: path.join(root, "web", "dist"),
    });
    expect(await readdir(produced.dir)).toEqual(["arch.txt"]);
    expect(await readFile(path.join(produced.dir, "arch.txt"), "utf8")).toBe("arm64\n");
    expect(await readdir(path.join(root, "web"))).toEqual([]);
  });

  it("gives runs of one output at once each their own files", async () => {
    // Without the lock, the second run empties dist while the first sleeps, and the first takes its file.
    const web = service(
      "mkdir -p dist && echo $TARGETARCH > dist/arch.txt && sleep 0.3 && listed=$(ls dist) && echo $listed > dist/list.txt",
    );
    const platforms = ["linux/amd64", "linux/arm64", "linux/amd64", "linux/arm64"];
    const produced = await Promise.all(platforms.map((p, i) => run(web, p, `run-${i}`)));
    for (const [i, platform] of platforms.entries()) {
      const arch = platform.split("/")[1];
      expect(await readFile(path.join(produced[i]!.dir, "arch.txt"), "utf8")).toBe(`${arch}\n`);
      expect(await readFile(path.join(produced[i]!.dir, "list.txt"), "utf8")).toBe("arch.txt\n");
    }
  });

  it("reports a command that writes no output directory", async () => {
    const error = await expectUserError(
      run(service("true"), "linux/amd64", "out"),
      "left no directory dist/",
    );
    expect(error.exitCode).toBe(ExitCode.failed);
  });

  it("reports a command that leaves a symlink as its output", async () => {
    await mkdir(path.join(root, "elsewhere"));
    await expectUserError(
      run(service(`ln -s ${path.join(root, "elsewhere")} dist`), "linux/amd64", "out"),
      "left a symlink at its output directory",
    );
  });

  it("refuses an output reached through a symlink out of dir before deleting or running anything", async () => {
    await mkdir(path.join(root, "outside", "dist"), { recursive: true });
    await writeFile(path.join(root, "outside", "dist", "keep.txt"), "not dray's");
    // The output is build/dist, and build a link out of the service's dir.
    await symlink(path.join(root, "outside"), path.join(root, "web", "build"));
    const web = service("touch ran && mkdir -p build/dist", "build/dist");
    const error = await expectUserError(run(web, "linux/amd64", "out"), "not inside its dir");
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(await readFile(path.join(root, "outside", "dist", "keep.txt"), "utf8")).toBe("not dray's");
    expect(await readdir(path.join(root, "web"))).toEqual(["build"]);
  });
});
