/**
 * Layouts real repositories have, from test/fixtures: a main whose package is all cgo (built
 * statically, stamped from git, run in the engine) and a main that needs a build tag. Each builds,
 * verifies identical, and — set up wrong — fails with the dray.yaml key that fixes it and a
 * command that reproduces the compile.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runDray } from "../support/dray.js";

const run = promisify(execFile);
const fixtures = path.join(repoRoot, "test", "fixtures");
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const gitEnv = {
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
  GIT_AUTHOR_DATE: "@1714557600 +0000",
  GIT_COMMITTER_DATE: "@1714557600 +0000",
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run("git", args, { cwd, env: { ...process.env, ...gitEnv } })).stdout.trim();
}

/** A copy of a fixture in a git repository of its own, committed (and tagged, when `tag` is given). */
async function checkout(fixture: string, tag?: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `dray-${fixture}-`));
  dirs.push(dir);
  const root = path.join(dir, fixture);
  await cp(path.join(fixtures, fixture), root, { recursive: true, filter: (src) => !src.includes(".dray") });
  await git(root, "init", "-q");
  await git(root, "add", "-A");
  await git(root, "commit", "-q", "-m", "fixture");
  if (tag) await git(root, "tag", tag);
  return root;
}

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  await writeFile(file, next);
}

/** The command a failed build's hint says reproduces it, run in a shell: its exit code and output. */
async function reproduce(stderr: string): Promise<{ command: string; code: number; output: string }> {
  const command = /Reproduce it with: (.+)$/m.exec(stderr)?.[1];
  if (!command) throw new Error(`no reproduction in:\n${stderr}`);
  const result = await run("sh", ["-c", command]).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
  );
  return { command, ...result };
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
  expect(stderr).not.toContain("internal error");
}

describe("a main whose package is all cgo (test/fixtures/cgo-only)", () => {
  let root: string;
  let commit: string;
  beforeAll(async () => {
    root = await checkout("cgo-only", "v1.0.0");
    commit = await git(root, "rev-parse", "HEAD");
  });

  it("dray init finds that it needs cgo and writes cgo: true", async () => {
    const fresh = await checkout("cgo-only");
    await rm(path.join(fresh, "dray.yaml"));
    const result = await runDray(["init"], { cwd: fresh });
    expect(result.code).toBe(0);
    expect(await readFile(path.join(fresh, "dray.yaml"), "utf8")).toMatch(
      /\n {4}go: \.\/cmd\/answer\n {4}cgo: true # example\.com\/cgoonly\/native has only cgo files;/,
    );
  });

  it("builds a static binary, stamped from git, whose image runs FROM scratch in the engine", async () => {
    const build = await runDray(["build", "--json"], { cwd: root });
    expect(build.code, build.stderr).toBe(0);
    const { stdout: manifest } = await run("skopeo", ["inspect", "--raw", `oci:${root}/.dray/oci:answer`]);
    expect(JSON.parse(manifest).annotations).toMatchObject({
      "org.opencontainers.image.revision": commit,
      "org.opencontainers.image.version": "v1.0.0",
    });
    const image = `cgo-only-test/answer:${commit.slice(0, 12)}`;
    await run("skopeo", ["copy", "-q", `oci:${root}/.dray/oci:answer`, `docker-daemon:${image}`]);
    try {
      // scratch holds no loader and no C library: only a static binary can start here.
      const { stdout } = await run("docker", ["run", "--rm", image]);
      expect(stdout).toBe("answer 42 (version v1.0.0)\n");
    } finally {
      await run("docker", ["rmi", "-f", image]).catch(() => undefined);
    }
  });

  it("dray verify: identical in a fresh copy without .git (the stamps travel with it)", async () => {
    const result = await runDray(["verify"], { cwd: root });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/answer\s+linux\/amd64\s+[0-9a-f]{12}\s+identical/);
  });

  it("a new commit changes the stamp: dray why shows the rendered value, plan --since renders the revision's", async () => {
    await git(root, "commit", "-q", "--allow-empty", "-m", "next");
    const next = await git(root, "rev-parse", "HEAD");
    const why = await runDray(["why", "answer"], { cwd: root });
    expect(why.code, why.stderr).toBe(0);
    expect(why.stdout).toContain(`v1.0.0-1-g${next.slice(0, 12)}`);
    // Against a revision, the stamps are that revision's: the commit before differs, HEAD does not.
    const since = await runDray(["plan", "--since", "HEAD~1", "--json"], { cwd: root });
    expect(since.code, since.stderr).toBe(0);
    expect(JSON.parse(since.stdout).services).toMatchObject([{ service: "answer", status: "changed" }]);
    const head = await runDray(["plan", "--since", "HEAD", "--json"], { cwd: root });
    expect(JSON.parse(head.stdout).services).toMatchObject([{ service: "answer", status: "unchanged" }]);
  });

  it("without cgo: true the build stops naming cgo: true at its line, with a command that reproduces it", async () => {
    const broken = await checkout("cgo-only", "v1.0.0");
    await edit(path.join(broken, "dray.yaml"), /^ {4}cgo: true.*\n/m, "");
    const result = await runDray(["build"], { cwd: broken });
    // Found by go list, before anything compiles: a setting of dray.yaml is wrong (exit 2).
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /native uses cgo \(import "C"\), and cgo is off for this build: set `cgo: true` for service answer \(dray\.yaml:7:3\)/,
    );
    const again = await reproduce(result.stderr);
    expect(again.command).toMatch(/CGO_ENABLED=0 /);
    expect(again.command).toContain("-ldflags=-buildid= -s -w -X=main.version=v1.0.0");
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(
      `build constraints exclude all Go files in ${path.join(broken, "native")}`,
    );
    expectNoStack(result.stderr);
  });

  it("cgo: dynamic on scratch is refused: the binary would not find its loader", async () => {
    const dynamic = await checkout("cgo-only");
    await edit(path.join(dynamic, "dray.yaml"), /^ {4}cgo: true/m, "    cgo: dynamic");
    const result = await runDray(["build"], { cwd: dynamic });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /service answer: \/app\/answer \(linux\/amd64\) is dynamically linked and needs \/lib64\/ld-linux-x86-64\.so\.2, which the image \(base scratch\) does not have/,
    );
    expect(result.stderr).toMatch(
      /`cgo: true` \(dray links cgo binaries statically\) instead of `cgo: dynamic` at dray\.yaml:9:10/,
    );
    expectNoStack(result.stderr);
  });

  it("cgo for another architecture without a cross compiler says so before go runs", async () => {
    const cross = await checkout("cgo-only");
    await edit(path.join(cross, "dray.yaml"), "platforms: [linux/amd64]", "platforms: [linux/arm64]");
    // A PATH with go and git only: no cross compiler, whatever this machine has installed.
    const bin = path.join(path.dirname(cross), "bin");
    await mkdir(bin);
    const { stdout: go } = await run("sh", ["-c", "command -v go"]);
    const { stdout: gitPath } = await run("sh", ["-c", "command -v git"]);
    await symlink(go.trim(), path.join(bin, "go"));
    await symlink(gitPath.trim(), path.join(bin, "git"));
    const result = await runDray(["build"], { cwd: cross, env: { PATH: bin, DRAY_GO: "" } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /service answer: cgo needs a C compiler for linux\/arm64, and aarch64-linux-gnu-gcc is not on PATH/,
    );
    expect(result.stderr).toMatch(/apt-get install gcc-aarch64-linux-gnu/);
    expect(result.stderr).not.toMatch(/go build failed/);
  });
});

describe("a main that needs a build tag (test/fixtures/build-tag)", () => {
  it("builds for both platforms and verifies identical", async () => {
    const root = await checkout("build-tag");
    const build = await runDray(["build"], { cwd: root });
    expect(build.code, build.stderr).toBe(0);
    const result = await runDray(["verify"], { cwd: root });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/edition\s+linux\/amd64\s+[0-9a-f]{12}\s+identical/);
    expect(result.stdout).toMatch(/edition\s+linux\/arm64\s+[0-9a-f]{12}\s+identical/);
  });

  it("without its tag the build stops naming tags: [enterprise] at the service's line, reproducibly", async () => {
    const root = await checkout("build-tag");
    await edit(path.join(root, "dray.yaml"), /^ {4}tags: \[enterprise\]\n/m, "");
    const result = await runDray(["build", "edition"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /build constraints leave out every Go file of cmd\/edition \(their \/\/go:build lines name enterprise\): if it needs a build tag, list it under `tags: \[enterprise\]` for service edition \(dray\.yaml:6:3\)/,
    );
    expect(result.stderr).toMatch(/^error: a Go service cannot be built$/m);
    const again = await reproduce(result.stderr);
    expect(again.command).not.toContain("-tags=");
    expect(again.output).toContain("build constraints exclude all Go files");
    expect(again.code).not.toBe(0);
    expectNoStack(result.stderr);
  });

  it("a compile error's reproduction carries the tags, so it fails as dray's build did", async () => {
    const root = await checkout("build-tag");
    await edit(path.join(root, "cmd", "edition", "features.go"), '"sso"}', '"sso", missing}');
    const result = await runDray(["build", "edition"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/undefined: missing/);
    const again = await reproduce(result.stderr);
    expect(again.command).toContain("-tags=enterprise");
    expect(again.output).toMatch(/features\.go:\d+:\d+: undefined: missing/);
    expect(again.code).not.toBe(0);
  });
});
