/**
 * The promise dray is built on: the same inputs give the same image, bit for bit, whatever the
 * checkout path, clock, umask, locale, time zone and Go cache state.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject, projectFiles } from "../../src/verify/fresh-copy.js";
import { copyExample, digestsOf, exampleDir, runDray } from "../support/dray.js";

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

describe("reproducible builds of the example monorepo", () => {
  it("gives identical image IDs and manifest digests across paths, clocks, umasks, locales and Go cache states", async () => {
    const first = await copyExample("dray-repro-a-");
    scratch.push(path.dirname(first));
    // The second checkout: deeper path, another name, files as umask 077 leaves them, dated a year back.
    const secondRoot = await tempDir("dray-repro-b-");
    const second = path.join(secondRoot, "some", "other", "place", "shop-checkout");
    await copyProject(exampleDir, second, await projectFiles(exampleDir), {
      umask: 0o077,
      mtime: Math.floor(Date.now() / 1000) - 365 * 86400,
    });
    const cacheA = await tempDir("dray-gocache-a-");
    const cacheB = await tempDir("dray-gocache-b-");

    const cold = await runDray(["build", "--json"], {
      cwd: first,
      env: { GOCACHE: cacheA, TZ: "UTC", LC_ALL: "C", LANG: "C" },
      shellPrefix: "umask 022",
    });
    expect(cold.stderr).toBe("");
    expect(cold.code).toBe(0);

    const elsewhere = await runDray(["build", "--json"], {
      cwd: second,
      env: { GOCACHE: cacheB, TZ: "Asia/Kathmandu", LC_ALL: "tr_TR.UTF-8", LANG: "tr_TR.UTF-8" },
      // Another clock for dray and the build commands it runs.
      shellPrefix: 'umask 077 && set -- faketime -f +777d "$@"',
    });
    expect(elsewhere.code, elsewhere.stderr).toBe(0);

    const warm = await runDray(["build", "--json"], {
      cwd: first,
      env: { GOCACHE: cacheA, TZ: "America/St_Johns" },
    });
    expect(warm.code, warm.stderr).toBe(0);

    const a = digestsOf(cold.stdout);
    // 3 Go services and 1 command service for linux/amd64 and linux/arm64; users is amd64 only.
    expect(Object.keys(a).sort()).toEqual([
      "api linux/amd64",
      "api linux/arm64",
      "orders linux/amd64",
      "orders linux/arm64",
      "users linux/amd64",
      "web linux/amd64",
      "web linux/arm64",
    ]);
    expect(digestsOf(elsewhere.stdout)).toEqual(a);
    expect(digestsOf(warm.stdout)).toEqual(a);
    // Different platforms really are different images.
    expect(a["api linux/amd64"]!.imageId).not.toBe(a["api linux/arm64"]!.imageId);
  });
});
