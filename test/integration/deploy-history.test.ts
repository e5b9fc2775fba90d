/**
 * Provenance, history and rollback on the docker target against the real engine: a deploy labels
 * the container with the checkout's commit; `dray status` says which commit runs, since when, and
 * whether the checkout would change it (from the build cache, building nothing); after a second
 * version `dray history` lists both and `dray rollback` restores the previous image and spec —
 * twice in a row goes back again; a service without a previous version, or whose previous image
 * is gone, is an error that changes nothing.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject, removeProjectImages } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dhi${process.pid}`;

interface StatusJson {
  services: {
    service: string;
    imageId?: string;
    commit?: string;
    dirty?: boolean;
    since?: string;
    previousImageId?: string;
    checkout?: { kind: string; what?: string[]; why?: string };
  }[];
}

interface HistoryJson {
  versions: {
    role: string;
    imageId: string;
    commit?: string;
    dirty?: boolean;
    since?: string;
    until?: string;
  }[];
}

/** The orders container's image ID label, commit label and deploy env V. */
async function orders(): Promise<{ imageId: string; commit: string | undefined; v: string | undefined }> {
  const { stdout } = await run("docker", ["inspect", `${project}-orders`]);
  const [c] = JSON.parse(stdout) as { Config: { Labels: Record<string, string>; Env: string[] } }[];
  return {
    imageId: c!.Config.Labels["dray.image-id"]!,
    commit: c!.Config.Labels["dray.commit"],
    v: c!.Config.Env.find((e) => e.startsWith("V="))?.slice(2),
  };
}

describe("docker target: provenance, dray history and dray rollback", () => {
  let dir: string;
  let yaml: string;
  const commits: string[] = [];
  const images: string[] = [];

  const dray = (...args: string[]) => runDray(args, { cwd: dir, timeoutMs: 300_000 });
  const git = async (...args: string[]) =>
    (await run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir })).stdout.trim();
  const commit = async (message: string) => {
    await git("add", "-A");
    await git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  const status = async () => {
    const result = await dray("status", "orders", "--json");
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as StatusJson).services[0]!;
  };
  const history = async () => {
    const result = await dray("history", "orders", "--json");
    expect(result.code, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as HistoryJson).versions;
  };
  /** Version 2 of orders: another binary and another deploy env. */
  const secondVersion = async () => {
    const file = path.join(dir, "services", "orders", "main.go");
    await writeFile(file, (await readFile(file, "utf8")).replace("ready to take orders", "v2 ready"));
    await writeFile(
      path.join(dir, "dray.yaml"),
      yaml.replace(/(orders:[\s\S]*?deploy:\n)/, '$1      env: { V: "2" }\n'),
    );
  };

  beforeAll(async () => {
    dir = await copyExample("dray-history-");
    const port = await freePort();
    yaml = (await readFile(path.join(dir, "dray.yaml"), "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace('"18081:8080"', `"${port}:8080"`)
      .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 60s }");
    await writeFile(path.join(dir, "dray.yaml"), yaml);
    await writeFile(path.join(dir, ".gitignore"), ".dray/\n");
    await git("init", "-q");
    commits.push(await commit("first"));
    const first = await dray("deploy", "orders");
    expect(first.code, first.stderr).toBe(0);
    images.push((await orders()).imageId);
  }, 600_000);

  afterAll(async () => {
    await removeProject(project);
    await removeProjectImages(project);
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 120_000);

  it("the container carries the commit; status shows it, since when, and that the checkout is what runs", async () => {
    expect(await orders()).toEqual({ imageId: images[0], commit: commits[0], v: undefined });
    const s = await status();
    expect(s).toMatchObject({
      imageId: images[0],
      commit: commits[0],
      dirty: false,
      checkout: { kind: "same" },
    });
    expect(Date.now() - Date.parse(s.since!)).toBeLessThan(3_600_000);
    expect(s.previousImageId).toBeUndefined();
    const table = await dray("status", "orders");
    expect(table.stdout).toContain(commits[0]!.slice(0, 12));
  }, 300_000);

  it("a first version has no previous one: history lists one version, rollback fails naming the service", async () => {
    expect(await history()).toEqual([
      expect.objectContaining({ role: "current", imageId: images[0], commit: commits[0] }),
    ]);
    const result = await dray("rollback", "orders");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("orders has no previous version on target local");
    expect((await orders()).imageId).toBe(images[0]);
  }, 300_000);

  it("an edit not yet built: status says it does not know, building nothing", async () => {
    await secondVersion();
    const s = await status();
    expect(s.checkout).toEqual({ kind: "unknown", why: "not built" });
    commits.push(await commit("second"));
    const deployed = await dray("deploy", "orders");
    expect(deployed.code, deployed.stderr).toBe(0);
    const now = await orders();
    images.push(now.imageId);
    expect(now).toEqual({ imageId: images[1], commit: commits[1], v: "2" });
    expect(images[1]).not.toBe(images[0]);
  }, 300_000);

  it("a new commit that changes no image or spec redeploys nothing and keeps the recorded commit", async () => {
    await writeFile(path.join(dir, "NOTES.md"), "not an input of any service\n");
    const third = await commit("notes");
    const result = await dray("deploy", "orders", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { services: { status: string }[] }).services[0]!.status).toBe(
      "unchanged",
    );
    expect((await orders()).commit).toBe(commits[1]);
    expect(third).not.toBe(commits[1]);
  }, 300_000);

  it("history lists the current and the previous version; rollback restores the previous image and spec", async () => {
    const versions = await history();
    expect(versions).toEqual([
      expect.objectContaining({ role: "current", imageId: images[1], commit: commits[1] }),
      expect.objectContaining({ role: "previous", imageId: images[0], commit: commits[0] }),
    ]);
    expect(versions[1]!.until).toBe(versions[0]!.since);

    const result = await dray("rollback", "orders", "--json");
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      services: [{ service: "orders", status: "done", from: images[1], to: images[0] }],
    });
    expect(await orders()).toEqual({ imageId: images[0], commit: commits[0], v: undefined });
    const s = await status();
    expect(s).toMatchObject({ commit: commits[0], previousImageId: images[1] });
    expect(s.checkout).toEqual({ kind: "changes", what: ["image", "spec"] });
  }, 300_000);

  it("rollback twice returns to the version rolled back from", async () => {
    const result = await dray("rollback", "orders");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/orders\s+rolled back/);
    expect(await orders()).toEqual({ imageId: images[1], commit: commits[1], v: "2" });
    expect((await history()).map((v) => [v.role, v.imageId])).toEqual([
      ["current", images[1]],
      ["previous", images[0]],
    ]);
  }, 300_000);

  it("a previous image the engine no longer has: the rollback fails clearly and the service keeps running", async () => {
    await run("docker", ["rmi", "-f", images[0]!]);
    const result = await dray("rollback", "orders");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`orders: the engine no longer has the image ${images[0]}`);
    expect((await orders()).imageId).toBe(images[1]);
    const { stdout: state } = await run("docker", [
      "inspect",
      "-f",
      "{{.State.Status}}",
      `${project}-orders`,
    ]);
    expect(state.trim()).toBe("running");
  }, 300_000);
});
