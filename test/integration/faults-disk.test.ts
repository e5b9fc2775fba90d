/**
 * The file system says no — disk full, read-only, permission denied — or the user presses Ctrl-C,
 * or a prune runs during a build: each ends in one clear error with the right exit code, and
 * nothing half-written is left (no temp file, no draft lock, no tag moved).
 *
 * Disk full and read-only use a small tmpfs and a read-only bind mount, so these tests need root
 * (as `scripts/quickstart.sh test` runs them); permission denied runs dray as nobody.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { drayBin, runDray } from "../support/dray.js";
import { commandService, faultProject, hasStack, startDray } from "../support/fault-project.js";

const dirs: string[] = [];
const mounts: string[] = [];
afterAll(async () => {
  for (const mount of mounts.reverse()) spawnSync("umount", [mount]);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(services: string[], files: Record<string, string> = {}): Promise<string> {
  const root = await faultProject(["project: faults", "services:", ...services], files);
  dirs.push(path.dirname(root));
  return root;
}

/** `.dray` of `root` as a tmpfs of `size` (e.g. "1m"), so dray's own writes fill it. */
async function smallDray(root: string, size: string): Promise<string> {
  const dir = path.join(root, ".dray");
  await mkdir(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounts.push(dir);
  return dir;
}

/** Every file below `dir` whose name says it is a temp file or a lock draft. */
async function leftovers(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.filter((name) => /\.dray-tmp-|\.new-[0-9a-f]+$|\.claim-/.test(path.basename(name)));
}

async function tags(root: string): Promise<string[]> {
  const text = await readFile(path.join(root, ".dray", "oci", "index.json"), "utf8").catch(() => undefined);
  if (text === undefined) return [];
  const index = JSON.parse(text) as { manifests: { annotations?: Record<string, string> }[] };
  return index.manifests.map((m) => m.annotations?.["org.opencontainers.image.ref.name"] ?? "").sort();
}

const bigOutput = "mkdir -p dist && head -c 3000000 /dev/urandom > dist/blob";

describe("disk full", () => {
  it("while writing a blob: exit 3, naming the file and dray cache prune; no temp file, no tag", async () => {
    const root = await project(commandService("big", bigOutput), { "big/x": "" });
    const state = await smallDray(root, "2m");
    const result = await runDray(["build"], { cwd: root });
    expect(result.stderr).toMatch(/no space left on the device writing .*\.dray/);
    expect(result.stderr).toMatch(/hint: .*dray cache prune/);
    expect(result.code).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
    expect(await leftovers(state)).toEqual([]);
    expect(await tags(root)).toEqual([]);
  });

  it("while writing a lock: exit 3, and the cut-off lock draft is removed", async () => {
    const root = await project(commandService("small", "mkdir -p dist && echo hi > dist/x"), {
      "small/x": "",
    });
    const state = await smallDray(root, "1m");
    expect((await runDray(["build"], { cwd: root })).code).toBe(0);
    // Fill the file system to the last byte; a prune's first write is its lock's record.
    spawnSync("sh", ["-c", `head -c 2000000 /dev/zero > "${path.join(state, "filler")}"`]);
    const result = await runDray(["cache", "prune"], { cwd: root });
    expect(result.stderr).toMatch(/no space left on the device writing .*\.dray\/cache\/.*lock/);
    expect(result.code).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
    expect(await leftovers(state)).toEqual([]);
  });
});

describe("a read-only checkout", () => {
  it("says the file system is read-only and how to build anyway: exit 3", async () => {
    const root = await project(commandService("small", "true"), { "small/dist/x": "hi\n" });
    const view = path.join(path.dirname(root), "read-only");
    await mkdir(view);
    execFileSync("mount", ["--bind", root, view]);
    mounts.push(view);
    execFileSync("mount", ["-o", "remount,bind,ro", view]);
    const result = await runDray(["build"], { cwd: view });
    expect(result.stderr).toMatch(/cannot write .*read-only\/\.dray.*: the file system is read-only/);
    expect(result.stderr).toMatch(/hint: .*writable checkout/);
    expect(result.code).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
  });
});

describe("permission denied", () => {
  it("a checkout dray may not write to: exit 3, naming the path", async () => {
    const root = await project(commandService("small", "true"), { "small/dist/x": "hi\n" });
    // Readable by everyone (mkdtemp makes its directory private), writable by root alone.
    await chmod(path.dirname(root), 0o755);
    const result = spawnSync(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, drayBin, "build"],
      { cwd: root, encoding: "utf8", env: { ...process.env, CI: "true", NO_COLOR: "1", HOME: "/tmp" } },
    );
    expect(result.stderr).toMatch(/permission denied writing .*\.dray/);
    expect(result.stderr).toMatch(/hint: Check the owner and mode/);
    expect(result.status).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
  });
});

describe("too many open files", () => {
  it("says to raise the limit or run fewer jobs: exit 3", async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`site/src/f${i}.txt`, `${i}\n`]));
    const root = await project(commandService("site", "mkdir -p dist && cp -r src dist/"), files);
    const result = spawnSync("prlimit", ["--nofile=60", process.execPath, drayBin, "build"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
    });
    expect(result.stderr).toMatch(/error: too many open files/);
    expect(result.stderr).toMatch(/hint: Raise the limit of open files/);
    expect(result.status).toBe(3);
    expect(hasStack(result.stderr)).toBe(false);
  });
});

describe("Ctrl-C during a build", () => {
  it("exits 130 with 'interrupted': scratch space removed, no temp file, no tag moved", async () => {
    const marker = "started";
    const root = await project(
      [
        ...commandService("fast", "mkdir -p dist && echo fast > dist/x"),
        ...commandService("slow", `mkdir -p dist && echo slow > dist/x && touch ${marker} && sleep 120`),
      ],
      { "fast/x": "", "slow/x": "" },
    );
    // In a process group of its own, so that Ctrl-C can reach dray and its commands as a terminal's does.
    const run = startDray(["build", "--jobs", "2"], { cwd: root, detached: true });
    // Interrupt once `fast` is written and recorded and `slow` is in its command.
    const entries = path.join(root, ".dray", "cache", "entries");
    for (let waited = 0; ; waited += 100) {
      const recorded = (await readdir(entries).catch(() => [])).length > 0;
      const started = await stat(path.join(root, "slow", marker)).then(
        () => true,
        () => false,
      );
      if (recorded && started) break;
      if (waited > 120_000) throw new Error(`the build never got going:\n${run.stderr()}`);
      await sleep(100);
    }
    process.kill(-run.child.pid!, "SIGINT");
    const result = await run.result;
    expect(result.stderr).toMatch(/error: interrupted: nothing was tagged/);
    expect(result.code).toBe(130);
    expect(hasStack(result.stderr)).toBe(false);
    expect(await tags(root)).toEqual([]);
    expect(await readdir(path.join(root, ".dray", "tmp")).catch(() => [])).toEqual([]);
    expect(await leftovers(path.join(root, ".dray"))).toEqual([]);
  });
});

describe("dray cache prune racing a build", () => {
  it("crashes neither side, and leaves every tag whole", async () => {
    // Each build makes new blobs (the output holds the time), so a prune always has work to do.
    const services = ["a", "b", "c", "d"].flatMap((name) =>
      commandService(
        name,
        "mkdir -p dist && date +%s%N > dist/stamp && head -c 200000 /dev/urandom > dist/noise",
      ),
    );
    const root = await project(services, { "a/x": "", "b/x": "", "c/x": "", "d/x": "" });
    for (let round = 0; round < 6; round++) {
      const build = startDray(["build", "--no-cache"], { cwd: root });
      const prunes = [];
      for (let i = 0; i < 4; i++) {
        prunes.push(runDray(["cache", "prune", "--max-size", "0"], { cwd: root }));
        await sleep(50);
      }
      const results = [await build.result, ...(await Promise.all(prunes))];
      for (const result of results) {
        expect(hasStack(result.stderr), result.stderr).toBe(false);
        expect([0, 1], result.stderr).toContain(result.code);
      }
    }
    // A prune removes only what no tag reaches: every tagged manifest is still there.
    const index = JSON.parse(await readFile(path.join(root, ".dray", "oci", "index.json"), "utf8")) as {
      manifests: { digest: string }[];
    };
    for (const { digest } of index.manifests) {
      expect((await stat(path.join(root, ".dray", "oci", "blobs", "sha256", digest.slice(7)))).isFile()).toBe(
        true,
      );
    }
    // And a build afterwards rebuilds whatever a prune took from under an earlier one.
    const check = await runDray(["build"], { cwd: root });
    expect(check.code, check.stderr).toBe(0);
  });
});
