/**
 * A build stores layers uncompressed; a push sends each image's distribution form, its layers gzipped
 * by a pinned compressor: the same digests from any clone, each layer compressed once, and a recorded
 * blob trusted only for its content. Independent tools accept what was pushed.
 */

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
let registry: TestRegistry;
const dirs: string[] = [];

interface PushJson {
  services: { name: string; platforms: { platform: string; imageId: string }[] }[];
  push: {
    service: string;
    reference: string;
    layers: { compressed: number; reused: number; remote: number };
  }[];
}

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function clone(prefix: string): Promise<string> {
  const root = await copyExample("dray-dist-");
  dirs.push(path.dirname(root));
  await setRegistry(root, prefix);
  return root;
}

/** Points the project at `<registry>/<prefix>` (SBOMs off: only images travel). */
async function setRegistry(root: string, prefix: string): Promise<void> {
  const file = path.join(root, "dray.yaml");
  const text = (await readFile(file, "utf8")).replace(/^registry: .*\n|^sbom: .*\n/gm, "");
  await writeFile(file, `${text}registry: ${registry.url}/${prefix}\nsbom: false\n`);
}

async function push(root: string): Promise<PushJson> {
  const result = await runDray(["push", "--json"], { cwd: root });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PushJson;
}

/** Service → the digest it was pushed as. */
const digests = (pushed: PushJson) =>
  Object.fromEntries(pushed.push.map((p) => [p.service, p.reference.slice(p.reference.indexOf("@") + 1)]));
const total = (pushed: PushJson, how: "compressed" | "reused" | "remote") =>
  pushed.push.reduce((n, p) => n + p.layers[how], 0);

async function crane(...args: string[]): Promise<string> {
  return (await run("crane", [...args, "--insecure"])).stdout;
}

describe("pushing the distribution form", () => {
  let root: string;
  let first: PushJson;

  beforeAll(async () => {
    root = await clone("a");
    first = await push(root);
  });

  it("pushes gzip layers under the image IDs the build made, and crane and skopeo accept them", async () => {
    expect(total(first, "compressed")).toBeGreaterThan(0);
    const reference = first.push.find((p) => p.service === "orders")!.reference;
    const index = JSON.parse(await crane("manifest", reference));
    expect(index.manifests).toHaveLength(2);
    const built = first.services.find((s) => s.name === "orders")!.platforms;
    for (const entry of index.manifests) {
      const platform = `${entry.platform.os}/${entry.platform.architecture}`;
      const at = reference.replace(/@.*/, `@${entry.digest}`);
      const manifest = JSON.parse(await crane("manifest", at));
      for (const layer of manifest.layers) {
        expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
      }
      expect(manifest.config.digest).toBe(built.find((p) => p.platform === platform)!.imageId);
      // crane downloads every layer, checks its digest, decompresses it and checks the diff_id.
      await crane("validate", "--remote", at);
    }
    const { stdout } = await run("skopeo", ["inspect", "--tls-verify=false", `docker://${reference}`]);
    expect(JSON.parse(stdout).Layers.length).toBeGreaterThan(0);
  });

  it("compresses nothing the second time", async () => {
    const again = await push(root);
    expect(total(again, "compressed")).toBe(0);
    expect(digests(again)).toEqual(digests(first));
  });

  it("gives the same pushed digests from another clone, which compresses for itself", async () => {
    const other = await clone("b");
    const pushed = await push(other);
    expect(total(pushed, "compressed")).toBeGreaterThan(0);
    expect(digests(pushed)).toEqual(digests(first));
  });

  it("compresses again a recorded layer whose blob was tampered with, instead of trusting it", async () => {
    const records = path.join(root, ".dray", "cache", "compressed");
    const names = await readdir(records);
    expect(names.length).toBeGreaterThan(0);
    const record = JSON.parse(await readFile(path.join(records, names[0]!), "utf8"));
    const blob = path.join(root, ".dray", "oci", "blobs", "sha256", record.digest.slice("sha256:".length));
    await writeFile(blob, Buffer.alloc(record.size, 7));
    // A registry that has none of it: the record is all there is to go on.
    await setRegistry(root, "c");
    const pushed = await push(root);
    expect(total(pushed, "compressed")).toBeGreaterThanOrEqual(1);
    expect(digests(pushed)).toEqual(digests(first));
    const sha = createHash("sha256")
      .update(await readFile(blob))
      .digest("hex");
    expect(`sha256:${sha}`).toBe(record.digest);
  });
});
