/**
 * `dray verify --image`: proof by rebuilding, against a real registry (distribution 2.8, no referrers
 * API: provenance sits in the `sha256-<hex>` tag schema). The example is pushed from a clean commit and
 * rebuilt byte for byte from that commit; an image pushed from a tree that git calls clean but whose
 * file differs from the commit (a file marked assume-unchanged) fails, naming the file; a dirty
 * tree, a commit this clone lacks and an image without provenance are each refused with a clear error.
 * The user's working tree, index and .git stay as they were.
 */
import { execFile, spawn } from "node:child_process";
import { appendFile, cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drayBin, exampleDir, runDray } from "../support/dray.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
const STATIC = "services/api/static/robots.txt";

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.test",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.test",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
};
const git = async (cwd: string, ...args: string[]) =>
  (await run("git", args, { cwd, env: gitEnv })).stdout.trim();

let registry: TestRegistry;
let temp: string;
let a: string;
let head: string;

/** A clone of the project (the same commit, origin = the first checkout). */
async function clone(name: string): Promise<string> {
  const dir = path.join(temp, name, "shop");
  await run("git", ["clone", "-q", a, dir], { env: gitEnv });
  return dir;
}

async function push(cwd: string, tag: string): Promise<void> {
  const pushed = await runDray(["push", "api", "--tag", tag], { cwd });
  expect(pushed.code, pushed.stderr).toBe(0);
}

const image = (tag: string) => `${registry.url}/shop/api:${tag}`;

beforeAll(async () => {
  registry = await startRegistry();
  temp = await mkdtemp(path.join(os.tmpdir(), "dray-verify-image-"));
  a = path.join(temp, "a", "shop");
  await cp(exampleDir, a, {
    recursive: true,
    filter: (src) => !/[/\\](\.dray|dist|node_modules)([/\\]|$)/.test(src.slice(exampleDir.length)),
  });
  await appendFile(path.join(a, "dray.yaml"), `registry: ${registry.url}/shop\n`);
  await git(a, "init", "-q", "-b", "main");
  await git(a, "add", "-A");
  await git(a, "commit", "-q", "-m", "shop");
  head = await git(a, "rev-parse", "HEAD");
  await push(a, "latest");
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  if (temp) await rm(temp, { recursive: true, force: true });
});

describe("dray verify --image", () => {
  it("passes for a pushed image of the example: both platforms rebuilt byte for byte", async () => {
    const before = await git(a, "status", "--porcelain", "--ignored");
    const result = await runDray(["verify", "--image", image("latest")], { cwd: a });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`byte-identical to a rebuild of commit ${head.slice(0, 12)}`);
    expect(result.stdout.match(/identical$/gm)).toHaveLength(2);
    expect(result.stderr).toContain(`exporting commit ${head.slice(0, 12)}`);
    // The user's tree, index and repository are as they were; no scratch directory is left behind.
    expect(await git(a, "status", "--porcelain", "--ignored")).toBe(before);
    expect(await git(a, "worktree", "list", "--porcelain")).not.toContain("\nworktree ");
    expect(await readdir(path.join(a, ".dray", "tmp"))).toEqual([]);
  }, 600_000);

  it("says the same as JSON, with the recorded and rebuilt input keys equal", async () => {
    const result = await runDray(["verify", "--json", "--image", image("latest")], { cwd: a });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.identical).toBe(true);
    expect(json.claims).toHaveLength(1);
    const [claim] = json.claims;
    expect(claim).toMatchObject({ status: "rebuilt", service: "api", commit: head, keyDifferences: [] });
    expect(claim.inputKey.rebuilt).toBe(claim.inputKey.recorded);
    expect(claim.match.platforms.map((p: { platform: string }) => p.platform).sort()).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]);
  }, 600_000);

  it("proves one platform's manifest named by its own digest", async () => {
    const json = JSON.parse(
      (await runDray(["verify", "--json", "--image", image("latest")], { cwd: a })).stdout,
    );
    const arm64 = json.claims[0].match.platforms.find(
      (p: { platform: string }) => p.platform === "linux/arm64",
    );
    const ref = `${registry.url}/shop/api@${arm64.registry.manifestDigest}`;
    const result = await runDray(["verify", "--image", ref], { cwd: a });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^linux\/arm64 .* identical$/m);
    expect(result.stdout).not.toContain("linux/amd64");
    expect(result.stdout).toContain(`${ref} is byte-identical`);
  }, 600_000);

  it("fails, naming the file, when the registry's image was built from a tree that differs from its commit", async () => {
    // Git calls this tree clean, so the provenance claims the commit, clean; but the file in the image is not the commit's.
    const b = await clone("b");
    await git(b, "update-index", "--assume-unchanged", STATIC);
    await appendFile(path.join(b, STATIC), "Disallow: /tampered\n");
    expect(await git(b, "status", "--porcelain")).toBe("");
    await push(b, "tampered");
    const result = await runDray(["verify", "--image", image("tampered")], { cwd: a });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      /✗ api linux\/amd64: layer \d+, file srv\/static\/robots\.txt: (content|size) differs \(the registry's image .* vs the rebuild .*\)/,
    );
    expect(result.stdout).toContain("is not what its commit builds");
    // The keys differ too (the file is an input), and the settings do not explain it.
    expect(result.stdout).toContain("the same settings; the files or Go modules it is built from differ");
  }, 600_000);

  it("refuses to claim a proof for an image built from a dirty tree", async () => {
    const c = await clone("c");
    await appendFile(path.join(c, STATIC), "Disallow: /dirty\n");
    await push(c, "dirty");
    const result = await runDray(["verify", "--image", image("dirty")], { cwd: a });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("built from a tree with uncommitted changes");
    expect(result.stdout).toContain("cannot be proven by rebuilding");
    expect(result.stdout).not.toContain("byte-identical");
  }, 600_000);

  it("asks to fetch a commit this repository does not have", async () => {
    const d = await clone("d");
    await appendFile(path.join(d, STATIC), "Disallow: /newer\n");
    await git(d, "commit", "-q", "-am", "newer");
    const newer = await git(d, "rev-parse", "HEAD");
    await push(d, "newer");
    const result = await runDray(["verify", "--image", image("newer")], { cwd: a });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`commit ${newer} is not in the repository`);
    expect(result.stderr).toContain(`git fetch origin ${newer}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 600_000);

  it("stops on Ctrl-C with exit 130 and removes the export", async () => {
    const child = spawn(process.execPath, [drayBin, "verify", "--image", image("latest")], {
      cwd: a,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      // Once, while the commit is exported and rebuilt (a second Ctrl-C would quit at once).
      if (!sent && stderr.includes("· exporting commit")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain("interrupted: nothing was compared; the exported commit was removed");
    expect(await readdir(path.join(a, ".dray", "tmp"))).toEqual([]);
  }, 600_000);

  it("says an image without provenance cannot be rebuilt, and refuses service names with --image", async () => {
    await run("crane", ["copy", "--insecure", image("latest"), `${registry.url}/elsewhere/api:bare`]);
    const bare = await runDray(["verify", "--image", `${registry.url}/elsewhere/api:bare`], { cwd: a });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("has no provenance from dray");
    expect(bare.stderr).toContain("dray push");
    const both = await runDray(["verify", "api", "--image", image("latest")], { cwd: a });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("takes no service names");
    const insecure = await runDray(["verify", "--insecure"], { cwd: a });
    expect(insecure.code).toBe(2);
    expect(insecure.stderr).toContain("--insecure is for dray verify --image");
    expect(await readFile(path.join(a, STATIC), "utf8")).toBe(
      await readFile(path.join(exampleDir, STATIC), "utf8"),
    );
  }, 600_000);
});

describe("dray verify --image with two commits that build the same image", () => {
  it("rebuilds from each commit its provenance names, and passes when both are identical", async () => {
    // A change outside every service's inputs: the same image, pushed again with a second provenance.
    await appendFile(path.join(a, "README.md"), "\nOne more line.\n");
    await git(a, "commit", "-q", "-am", "readme");
    const second = await git(a, "rev-parse", "HEAD");
    await push(a, "latest");
    const result = await runDray(["verify", "--json", "--image", image("latest")], { cwd: a });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.identical).toBe(true);
    expect(json.claims.map((c: { commit: string; status: string }) => [c.commit, c.status])).toEqual(
      [head, second].sort().map((commit) => [commit, "rebuilt"]),
    );
  }, 600_000);
});

describe("dray verify --image with version stamps", () => {
  it("renders the stamps as of the recorded commit, not the clone's HEAD", async () => {
    const s = path.join(temp, "s", "shop");
    await cp(a, s, {
      recursive: true,
      filter: (src) => !/[/\\](\.dray|\.git)([/\\]|$)/.test(src.slice(a.length)),
    });
    const yaml = await readFile(path.join(s, "dray.yaml"), "utf8");
    await writeFile(
      path.join(s, "dray.yaml"),
      yaml.replace("-X=main.version=1.0.0", "-X=main.version={{.Version}}"),
    );
    await git(s, "init", "-q", "-b", "main");
    await git(s, "add", "-A");
    await git(s, "commit", "-q", "-m", "stamped");
    await git(s, "tag", "v1.0.0");
    await push(s, "stamped");
    // Past the tag, {{.Version}} of HEAD is v1.0.0-1-g…: a rebuild that rendered it would differ.
    await appendFile(path.join(s, "README.md"), "\nAfter the release.\n");
    await git(s, "commit", "-q", "-am", "after");
    const result = await runDray(["verify", "--json", "--image", image("stamped")], { cwd: s });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).claims[0]).toMatchObject({ status: "rebuilt", keyDifferences: [] });
  }, 600_000);
});
