/**
 * Nothing is trusted by its file name. A flipped byte or a deleted blob in `.dray/oci` is repaired by
 * `dray build --no-cache`, rebuilt by a plain build (deleted), refused by name by `dray verify`,
 * `dray push` and `dray deploy`'s image load, and found and removed by `dray cache check --repair`.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, readFile, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistryClient } from "../../src/registry/client/client.js";
import { blobFile, flipByte } from "../support/damage.js";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(extra = ""): Promise<string> {
  const root = await copyExample("dray-integrity-");
  dirs.push(path.dirname(root));
  if (extra) await appendFile(path.join(root, "dray.yaml"), extra);
  return root;
}

const layoutOf = (root: string) => path.join(root, ".dray", "oci");

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}

interface Manifest {
  manifests?: { digest: string }[];
  config: { digest: string };
  layers: { digest: string }[];
}

/** The manifest `tag` points at (its first platform's, for an index). */
async function manifestOf(root: string, tag: string): Promise<Manifest> {
  const layout = layoutOf(root);
  const index = await readJson<{ manifests: { digest: string; annotations?: Record<string, string> }[] }>(
    path.join(layout, "index.json"),
  );
  const top = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === tag);
  if (!top) throw new Error(`no tag ${tag} in ${layout}`);
  const document = await readJson<Manifest>(blobFile(layout, top.digest));
  return document.manifests ? readJson<Manifest>(blobFile(layout, document.manifests[0]!.digest)) : document;
}

/** The last layer of `tag`'s image: the service's own files or binary. */
async function ownLayer(root: string, tag: string): Promise<string> {
  return (await manifestOf(root, tag)).layers.at(-1)!.digest;
}

async function hashOf(file: string): Promise<string> {
  return `sha256:${createHash("sha256")
    .update(await readFile(file))
    .digest("hex")}`;
}

const build = async (root: string, ...args: string[]) => {
  const result = await runDray(["build", "--json", ...args], { cwd: root });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { services: { name: string; cached: boolean }[] };
};

describe("a corrupted or missing blob in .dray/oci", () => {
  it("a flipped byte in a layer: `dray build --no-cache` rewrites it", async () => {
    const root = await project();
    await build(root, "web");
    const layer = await ownLayer(root, "web");
    await flipByte(blobFile(layoutOf(root), layer));
    const rebuilt = await build(root, "--no-cache", "web");
    expect(rebuilt.services.map((s) => [s.name, s.cached])).toEqual([["web", false]]);
    expect(await hashOf(blobFile(layoutOf(root), layer))).toBe(layer);
  }, 120_000);

  it("a flipped byte in a layer: `dray verify` fails naming the blob and the repair", async () => {
    const root = await project();
    await build(root, "web");
    const layer = await ownLayer(root, "web");
    await flipByte(blobFile(layoutOf(root), layer));
    const result = await runDray(["verify", "web"], { cwd: root });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(`blob ${layer} in ${layoutOf(root)} is corrupted`);
    expect(result.stdout).toContain("run `dray cache check --repair`");
    expect(result.stdout).toMatch(/not reproducible: 2 of 2 images differ/);
  }, 240_000);

  it("a deleted layer: the service is rebuilt, not reported cached", async () => {
    const root = await project();
    await build(root, "web");
    const layer = await ownLayer(root, "web");
    await unlink(blobFile(layoutOf(root), layer));
    const again = await build(root, "web");
    expect(again.services.map((s) => [s.name, s.cached])).toEqual([["web", false]]);
    expect(await hashOf(blobFile(layoutOf(root), layer))).toBe(layer);
  }, 120_000);
});

describe("dray cache check", () => {
  it("names a corrupted blob, the tags and the entry that need it; --repair removes them and the next build rebuilds", async () => {
    const root = await project();
    await build(root, "web");
    const layer = await ownLayer(root, "web");
    await flipByte(blobFile(layoutOf(root), layer));

    const found = await runDray(["cache", "check"], { cwd: root });
    expect(found.code, found.stderr).toBe(1);
    const lines = found.stdout.trim().split("\n");
    expect(lines.slice(0, -1).map((line) => line.split(":")[0])).toEqual([
      `broken blob sha256`,
      "broken tag web",
      "broken tag web.linux-amd64",
      "broken tag web.linux-arm64",
      `broken cache entry sha256`,
    ]);
    expect(lines[0]).toContain(`broken blob ${layer}: its content hashes to sha256:`);
    expect(lines[0]).toContain(`(.dray/oci/blobs/sha256/${layer.slice(7)})`);
    expect(lines[0]).toMatch(/`dray cache check --repair` will remove it; the next build writes it again$/);
    expect(lines.at(-1)).toMatch(/: 5 problems; run `dray cache check --repair` to remove what is broken$/);

    const repaired = await runDray(["cache", "check", "--repair"], { cwd: root });
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`repaired blob ${layer}: its content hashes to`);
    expect(repaired.stdout).toMatch(/: repaired 5 problems; the next build rebuilds what was removed\n$/);

    const clean = await runDray(["cache", "check", "--json"], { cwd: root });
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ ok: true, problems: [] });

    const after = await build(root, "web");
    expect(after.services.map((s) => [s.name, s.cached])).toEqual([["web", false]]);
    expect(await hashOf(blobFile(layoutOf(root), layer))).toBe(layer);
    expect((await runDray(["cache", "check"], { cwd: root })).code).toBe(0);
  }, 180_000);

  it("finds a torn index.json and a torn cache entry; --repair --json says what it did", async () => {
    const root = await project();
    await build(root, "web");
    await writeFile(path.join(layoutOf(root), "index.json"), '{"manifests": [');
    const entries = path.join(root, ".dray", "cache", "entries");
    const [entry] = (await run("ls", [entries])).stdout.trim().split("\n");
    await writeFile(path.join(entries, entry!), '{"key": "sha');

    const found = await runDray(["cache", "check", "--json"], { cwd: root });
    expect(found.code, found.stderr).toBe(1);
    const report = JSON.parse(found.stdout) as { ok: boolean; problems: { kind: string; file: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => [p.kind, path.basename(p.file)])).toEqual([
      ["index", "index.json"],
      ["entry", entry],
    ]);

    const repaired = await runDray(["cache", "check", "--repair", "--json"], { cwd: root });
    expect(repaired.code, repaired.stderr).toBe(0);
    const done = JSON.parse(repaired.stdout) as {
      ok: boolean;
      problems: { repaired: boolean; fixed: string }[];
    };
    expect(done.ok).toBe(true);
    expect(done.problems.map((p) => [p.repaired, p.fixed])).toEqual([
      [true, "replaced it with an empty index; the next build tags (or pulls) what it needs again"],
      [true, "removed it; the next build of its service builds it again"],
    ]);
    const after = await build(root, "web");
    expect(after.services.map((s) => [s.name, s.cached])).toEqual([["web", false]]);
    expect((await runDray(["cache", "check"], { cwd: root })).code).toBe(0);
  }, 180_000);
});

describe("dray push of a corrupted blob", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it("fails naming the blob and the repair, and moves no tag", async () => {
    const root = await project(`registry: ${registry.url}/shop\n`);
    const first = await runDray(["push", "web"], { cwd: root });
    expect(first.code, first.stderr).toBe(0);
    const client = createRegistryClient(registry.url);
    const before = await client.headManifest("shop/web", "latest");
    expect(before).toBeDefined();

    // A new version whose layer the registry does not have yet, corrupted before it is pushed.
    const products = path.join(root, "web", "src", "products.json");
    await writeFile(products, (await readFile(products, "utf8")).replace('"title": "', '"title": "New '));
    await build(root, "web");
    const layer = await ownLayer(root, "web");
    await flipByte(blobFile(layoutOf(root), layer));

    const pushed = await runDray(["push", "web"], { cwd: root });
    expect(pushed.code).toBe(1);
    expect(pushed.stderr).toContain(`blob ${layer} in ${layoutOf(root)} is corrupted`);
    expect(pushed.stderr).toContain("dray cache check --repair");
    expect(pushed.stderr).not.toMatch(/\n\s+at /);
    expect((await client.headManifest("shop/web", "latest"))?.digest).toBe(before?.digest);
    expect(await client.hasBlob("shop/web", layer as `sha256:${string}`)).toBe(false);
    client.close();
  }, 180_000);
});

describe("dray deploy loading a corrupted blob into Docker's engine", () => {
  const name = `di${process.pid}`;
  afterAll(async () => {
    await removeProject(name);
  }, 60_000);

  it("fails naming the blob, before the engine has the image or the tag", async () => {
    if (process.env["DRAY_TEST_ENGINE_ERROR"]) throw new Error(process.env["DRAY_TEST_ENGINE_ERROR"]);
    const root = await project();
    let yaml = await readFile(path.join(root, "dray.yaml"), "utf8");
    // A setting only this run has: an image ID the engine cannot have from an earlier test.
    yaml = yaml
      .replace("project: shop", `project: ${name}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace(
        'env: { PORT: "8080" }\n    ports: [8080]\n    user: "65532:65532"\n    labels: { team: checkout }',
        `env: { PORT: "8080", RUN: "${name}-${Date.now()}" }\n    ports: [8080]\n    user: "65532:65532"\n    labels: { team: checkout }`,
      )
      .replace('"18081:8080"', `"${await freePort()}:8080"`);
    await writeFile(path.join(root, "dray.yaml"), yaml);
    expect(yaml).toContain(`RUN: "${name}-`);
    await build(root, "orders");
    const manifest = await manifestOf(root, "orders");
    const imageId = manifest.config.digest;
    const layer = manifest.layers.at(-1)!.digest;
    await flipByte(blobFile(layoutOf(root), layer));

    try {
      const deployed = await runDray(["deploy", "orders"], { cwd: root, timeoutMs: 300_000 });
      const output = `${deployed.stdout}\n${deployed.stderr}`;
      expect(deployed.code, output).toBe(1);
      expect(output).toContain(
        `orders: cannot load its image: blob ${layer} in ${layoutOf(root)} is corrupted`,
      );
      expect(output).toContain("dray cache check --repair");
      await expect(run("docker", ["image", "inspect", imageId])).rejects.toThrow();
      await expect(
        run("docker", ["image", "inspect", `${name}/orders:${imageId.slice(7, 19)}`]),
      ).rejects.toThrow();
      const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=dray.project=${name}`]);
      expect(stdout.trim()).toBe("");
    } finally {
      await run("docker", ["rmi", "-f", imageId]).catch(() => undefined);
    }
  }, 300_000);
});
