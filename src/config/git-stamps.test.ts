/**
 * Version stamps from a real git repository in a temporary directory, through loadConfig as every
 * command loads dray.yaml: the values, dirtiness, a revision instead of the working tree, the
 * stand-in variables, and the errors outside a repository.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ExitCode, UserError } from "../errors/errors.js";
import { rfc3339, stampEnvironment } from "./git-stamps.js";
import { loadConfig } from "./read-config.js";
import type { GoService } from "./types.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const STAMPED = [
  "project: shop",
  "services:",
  "  api:",
  "    go: ./services/api",
  '    ldflags: ["-X=main.version={{.Version}}", "-X=main.commit={{.Commit}}", "-X=main.short={{.ShortCommit}}", "-X=main.time={{.CommitTime}}"]',
  "",
].join("\n");

/** A project with dray.yaml holding `yaml`, in a directory of its own. */
async function project(yaml = STAMPED): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "dray-stamps-"));
  dirs.push(root);
  await mkdir(path.join(root, "services", "api"), { recursive: true });
  await writeFile(path.join(root, "services", "api", "main.go"), "package main\n\nfunc main() {}\n");
  await writeFile(path.join(root, "dray.yaml"), yaml);
  return root;
}

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

function git(root: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: root, env: gitEnv, encoding: "utf8" }).trim();
}

/** A commit of everything at `seconds` (author and committer time). */
function commitAll(root: string, seconds: number): string {
  git(root, "add", "-A");
  execFileSync("git", ["commit", "-q", "--allow-empty", "-m", `at ${seconds}`], {
    cwd: root,
    env: { ...gitEnv, GIT_AUTHOR_DATE: `@${seconds} +0200`, GIT_COMMITTER_DATE: `@${seconds} +0200` },
  });
  return git(root, "rev-parse", "HEAD");
}

async function repository(): Promise<string> {
  const root = await project();
  git(root, "init", "-q");
  return root;
}

/** The api service's ldflags once loaded with `env`. */
async function ldflags(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  at?: { repository: string; revision: string },
) {
  const config = await loadConfig({ cwd: root, env, ...(at ? { stampsAt: at } : {}) });
  return (config.services[0] as GoService).ldflags;
}

async function userError(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

describe("version stamps from git", () => {
  it("renders the tag, the commit, its first 12 digits and its time — never the clock's", async () => {
    const root = await repository();
    const commit = commitAll(root, 1714557600);
    git(root, "tag", "v1.2.0");
    expect(await ldflags(root)).toEqual([
      "-X=main.version=v1.2.0",
      `-X=main.commit=${commit}`,
      `-X=main.short=${commit.slice(0, 12)}`,
      "-X=main.time=2024-05-01T10:00:00Z",
    ]);
  });

  it("a change to a tracked file makes the version -dirty; an untracked file does not; a commit counts past the tag", async () => {
    const root = await repository();
    commitAll(root, 1714557600);
    git(root, "tag", "v1.2.0");
    await writeFile(path.join(root, "notes.txt"), "untracked\n");
    expect((await ldflags(root))[0]).toBe("-X=main.version=v1.2.0");
    await writeFile(
      path.join(root, "services", "api", "main.go"),
      "package main\n\nfunc main() { println() }\n",
    );
    // Read from the config cache this time: the templates are rendered on every load, never cached.
    expect((await ldflags(root))[0]).toBe("-X=main.version=v1.2.0-dirty");
    const next = commitAll(root, 1714561200);
    expect(await ldflags(root)).toEqual([
      `-X=main.version=v1.2.0-1-g${next.slice(0, 12)}`,
      `-X=main.commit=${next}`,
      `-X=main.short=${next.slice(0, 12)}`,
      "-X=main.time=2024-05-01T11:00:00Z",
    ]);
  });

  it("without a tag the version is the commit's first 12 digits", async () => {
    const root = await repository();
    const commit = commitAll(root, 0);
    expect((await ldflags(root))[0]).toBe(`-X=main.version=${commit.slice(0, 12)}`);
  });

  it("as of a revision: that commit's values, never dirty", async () => {
    const root = await repository();
    const first = commitAll(root, 1000);
    git(root, "tag", "v0.1.0");
    commitAll(root, 2000);
    await writeFile(
      path.join(root, "services", "api", "main.go"),
      "package main\n\nfunc main() { panic(1) }\n",
    );
    expect(await ldflags(root, process.env, { repository: root, revision: first })).toEqual([
      "-X=main.version=v0.1.0",
      `-X=main.commit=${first}`,
      `-X=main.short=${first.slice(0, 12)}`,
      `-X=main.time=${rfc3339(1000)}`,
    ]);
  });

  it("the stand-in variables replace git, and are what stampEnvironment gives another process", async () => {
    const root = await project();
    const commit = "89abcdef0123456789abcdef0123456789abcdef";
    const env = stampEnvironment({
      Version: "v9.9.9",
      Commit: commit,
      ShortCommit: commit.slice(0, 12),
      CommitTime: rfc3339(1714557600),
    });
    expect(env).toEqual({
      DRAY_GIT_COMMIT: commit,
      DRAY_GIT_VERSION: "v9.9.9",
      DRAY_GIT_COMMIT_TIME: "1714557600",
    });
    expect(await ldflags(root, { ...process.env, ...env })).toEqual([
      "-X=main.version=v9.9.9",
      `-X=main.commit=${commit}`,
      "-X=main.short=89abcdef0123",
      "-X=main.time=2024-05-01T10:00:00Z",
    ]);
    const wrong = await userError(ldflags(root, { ...process.env, ...env, DRAY_GIT_COMMIT: "abc" }));
    expect(wrong.message).toBe("$DRAY_GIT_COMMIT must be a full commit hash (40 or 64 lowercase hex digits)");
    expect(wrong.exitCode).toBe(ExitCode.usage);
  });

  it("outside a repository a template is an error at its line (exit 2); without one git is never asked", async () => {
    const root = await project();
    const error = await userError(
      ldflags(root, { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(root) }),
    );
    expect(error.message).toBe(
      `cannot render the version stamps at dray.yaml:5:15 (services.api.ldflags[0] uses {{.Version}}): ${root} is not in a git repository`,
    );
    expect(error.exitCode).toBe(ExitCode.usage);
    expect(error.hint).toMatch(/DRAY_GIT_COMMIT, DRAY_GIT_VERSION and DRAY_GIT_COMMIT_TIME/);

    const plain = await project("project: shop\nservices:\n  api:\n    go: ./services/api\n");
    const config = await loadConfig({ cwd: plain, env: { ...process.env, PATH: "/nonexistent" } });
    expect(config.stamps).toBeUndefined();
  });

  it("a repository without a commit, and a machine without git, say so", async () => {
    const root = await repository();
    const empty = await userError(ldflags(root));
    expect(empty.message).toMatch(/: the repository has no commit yet$/);
    expect(empty.exitCode).toBe(ExitCode.usage);
    const noGit = await userError(ldflags(root, { ...process.env, PATH: "/nonexistent" }));
    expect(noGit.message).toMatch(/^git is needed for the version stamps at dray\.yaml:5:15/);
    expect(noGit.exitCode).toBe(ExitCode.environment);
  });
});
