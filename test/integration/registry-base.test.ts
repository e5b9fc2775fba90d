/**
 * A service built on a base image from a real registry: the tag is resolved once by
 * `dray update-base` into dray.lock, builds pull the locked digest (verified) and never follow
 * the tag on their own, and the base's layers come first in the service's image.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLayout } from "../../src/oci/layout.js";
import type { ImageSet, Platform } from "../../src/oci/types.js";
import { createRegistryClient } from "../../src/registry/client/client.js";
import { pushImage } from "../../src/registry/push.js";
import { copyExample, runDray } from "../support/dray.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";
import { AMD64, sampleImageSet } from "../support/sample-image.js";

const run = promisify(execFile);
const ARM64: Platform = { os: "linux", architecture: "arm64" };
let registry: TestRegistry;
let root: string;

/** Push a two-platform base image as base/static:1.0 and return its set. */
async function publishBase(shared: string): Promise<ImageSet> {
  const set = await sampleImageSet({ platforms: [AMD64, ARM64], shared, app: `${shared}-app` });
  const layout = await openLayout(path.join(path.dirname(root), `base-${shared}`), { create: true });
  await layout.writeImageSet(set);
  const client = createRegistryClient(registry.url);
  try {
    await pushImage({ client, repository: "base/static", source: layout, top: set.top, tags: ["1.0"] });
  } finally {
    client.close();
  }
  return set;
}

beforeAll(async () => {
  registry = await startRegistry();
  root = await copyExample("dray-base-");
  const config = path.join(root, "dray.yaml");
  const text = await readFile(config, "utf8");
  await writeFile(
    config,
    text.replace(
      "    go: ./services/api\n",
      `    go: ./services/api\n    base: ${registry.url}/base/static:1.0\n`,
    ),
  );
});
afterAll(async () => {
  await registry?.stop();
  await rm(path.dirname(root), { recursive: true, force: true });
});

describe("base images from a registry", () => {
  let v1: ImageSet;

  it("refuses to build with an unpinned base, and says how to pin it", async () => {
    v1 = await publishBase("v1");
    const result = await runDray(["build", "api"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dray update-base/);
  });

  it("pins the tag's digest in dray.lock and builds on the base's layers", async () => {
    const update = await runDray(["update-base"], { cwd: root });
    expect(update.code, update.stderr).toBe(0);
    const lock = JSON.parse(await readFile(path.join(root, "dray.lock"), "utf8"));
    expect(JSON.stringify(lock)).toContain(v1.top.digest);

    const build = await runDray(["build", "api", "--json"], { cwd: root });
    expect(build.code, build.stderr).toBe(0);
    const { stdout } = await run("skopeo", [
      "inspect",
      "--config",
      `oci:${path.join(root, ".dray", "oci")}:api.linux-arm64`,
    ]);
    const config = JSON.parse(stdout);
    const baseArm = v1.images.find((i) => i.platform.architecture === "arm64")!;
    const baseIds = baseArm.layers.map((l) => l.diffId);
    // The base's layers first, then the files layer and the binary.
    expect(config.rootfs.diff_ids.slice(0, baseIds.length)).toEqual(baseIds);
    expect(config.rootfs.diff_ids).toHaveLength(baseIds.length + 2);
  });

  it("does not follow a tag that moved upstream until dray update-base says so", async () => {
    const before = await runDray(["build", "api", "--json"], { cwd: root });
    await publishBase("v2");
    const after = await runDray(["build", "api", "--json"], { cwd: root });
    expect(after.code, after.stderr).toBe(0);
    const api = (out: string) => JSON.parse(out).services[0];
    expect(api(after.stdout).cached).toBe(true);
    expect(api(after.stdout).digest).toBe(api(before.stdout).digest);

    const update = await runDray(["update-base"], { cwd: root });
    expect(update.stdout).toMatch(/base\/static:1\.0: .* → /);
    const plan = await runDray(["plan", "api", "--json"], { cwd: root });
    const entry = JSON.parse(plan.stdout).services[0];
    expect(entry).toMatchObject({ service: "api", status: "changed", reason: "setting base" });
    const rebuilt = await runDray(["build", "api", "--json"], { cwd: root });
    expect(api(rebuilt.stdout).cached).toBe(false);
  });
});
