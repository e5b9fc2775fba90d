/**
 * The promise dray is built on: the same inputs give the same image, bit for bit, whatever the
 * checkout path, clock, umask, locale, time zone and Go cache state.
 */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { copyProject, projectFiles } from "../../src/verify/fresh-copy.js";
import { copyExample, digestsOf, exampleDir, runDray } from "../support/dray.js";

const scratch: string[] = [];

/**
 * The image IDs of examples/shop as dray made them while it still gzipped every layer it wrote (with
 * go1.23.5). Builds now store layers uncompressed, and the image ID — the config digest over the
 * uncompressed diff_ids — must not have moved. A new Go release changes the binaries and so these IDs:
 * then pin them again from a build of the gzip-writing version with that Go.
 */
const GZIP_ERA_GO = "go1.23.5";
const GZIP_ERA_IMAGE_IDS: Record<string, string> = {
  "api linux/amd64": "sha256:67480706603ced546e39ba565e026f073710c8fccc17e40075f22eb64fc13f2f",
  "api linux/arm64": "sha256:f627ebfdf3389b0d218feb59b7b4073a8e2c517005fdb79b47f6819ac664f280",
  "orders linux/amd64": "sha256:0af1d172d237de6f1a4e9b6c01b3f207ecb00995a06a11cd9be7baedcf7ea0c1",
  "orders linux/arm64": "sha256:2e56def705375909c087c44693070b997aaaf687d0c8592aadc385765ec02102",
  "users linux/amd64": "sha256:2d64364ae8d6a9eda43b93f432a5b5d8a80b7606134b3a0b1185ac0929ff04fd",
  "web linux/amd64": "sha256:830919667fc88942bdfd12fd482c61d99c4d45a3b3d4ce5c0bf54255febc85ba",
  "web linux/arm64": "sha256:f7354ac95483039d3c8006a8010cd32665e46caee92954bbd3e9bbd617afd74d",
};
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

describe("identity without compression", () => {
  it("gives the image IDs the gzip-writing dray gave, and stores dray's layers uncompressed", async () => {
    const { stdout: version } = await promisify(execFile)("go", ["env", "GOVERSION"]);
    expect(version.trim(), "the pinned IDs were made with another Go: pin them again").toBe(GZIP_ERA_GO);
    const project = await copyExample("dray-identity-");
    scratch.push(path.dirname(project));
    const built = await runDray(["build", "--json"], { cwd: project });
    expect(built.code, built.stderr).toBe(0);
    const digests = digestsOf(built.stdout);
    expect(Object.fromEntries(Object.entries(digests).map(([k, v]) => [k, v.imageId]))).toEqual(
      GZIP_ERA_IMAGE_IDS,
    );
    // Every layer the build wrote is a plain tar named by its diff_id; the manifest says so.
    const blob = async (digest: string) =>
      JSON.parse(
        await readFile(path.join(project, ".dray", "oci", "blobs", "sha256", digest.slice(7)), "utf8"),
      );
    for (const { imageId, manifestDigest } of Object.values(digests)) {
      const manifest = await blob(manifestDigest);
      const config = await blob(imageId);
      expect(manifest.layers.length).toBeGreaterThan(0);
      manifest.layers.forEach((layer: { mediaType: string; digest: string }, i: number) => {
        expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar");
        expect(layer.digest).toBe(config.rootfs.diff_ids[i]);
      });
    }
  });
});
