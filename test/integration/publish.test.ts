/**
 * `dray push` and `cache: registry` against Debian's real registry, with bytes counted by a
 * loopback proxy in front of it: only missing blobs travel, a fresh clone builds nothing, and the
 * pushed images run in a real engine.
 */
import { execFile } from "node:child_process";
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { startProxy, type TestProxy } from "../support/proxy.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
let registry: TestRegistry;
let proxy: TestProxy;
const dirs: string[] = [];

interface PushJson {
  services: { name: string; cached: boolean; fromRegistry: boolean }[];
  push: {
    service: string;
    reference: string;
    bytesSent: number;
    bytesSkipped: number;
    blobs: { size: number; action: string }[];
  }[];
}

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startProxy(registry.url);
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(extra: string): Promise<string> {
  const root = await copyExample("dray-publish-");
  dirs.push(path.dirname(root));
  await appendFile(path.join(root, "dray.yaml"), extra);
  return root;
}

async function push(root: string): Promise<PushJson> {
  const result = await runDray(["push", "--json"], { cwd: root });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PushJson;
}

describe("dray push", () => {
  let root: string;
  let first: PushJson;

  beforeAll(async () => {
    // Without the shared cache and without SBOMs and provenance (attached after each image), so that
    // every byte the proxy sees is an image blob.
    root = await project(`registry: ${proxy.url}/shop\nsbom: false\n`);
    proxy.reset();
    first = await push(root);
  });

  it("uploads every blob the first time, and the proxy saw exactly those bytes", () => {
    const sent = first.push.reduce((n, p) => n + p.bytesSent, 0);
    expect(first.push.map((p) => p.service)).toEqual(["api", "orders", "users", "web"]);
    expect(sent).toBeGreaterThan(5_000_000);
    expect(proxy.stats().requestBytes["blob-upload"]).toBe(sent);
  });

  it("sends zero blob bytes the second time", async () => {
    proxy.reset();
    const again = await push(root);
    expect(again.push.every((p) => p.bytesSent === 0)).toBe(true);
    expect(proxy.stats().requestBytes["blob-upload"]).toBe(0);
    expect(proxy.stats().requests["PUT manifest"] ?? 0).toBe(0);
  });

  it("after one service changes, sends only that service's changed layers, config and manifests", async () => {
    const main = path.join(root, "services/orders/main.go");
    await writeFile(
      main,
      (await readFile(main, "utf8")).replace("orders: ready to take orders", "orders: taking orders"),
    );
    proxy.reset();
    const after = await push(root);
    const byService = Object.fromEntries(after.push.map((p) => [p.service, p]));
    for (const name of ["api", "users", "web"]) expect(byService[name]!.bytesSent).toBe(0);
    const orders = byService["orders"]!;
    // Two platforms: two binary layers and two configs, nothing else.
    const uploaded = orders.blobs.filter((b) => b.action === "uploaded");
    expect(uploaded).toHaveLength(4);
    expect(orders.bytesSent).toBe(uploaded.reduce((n, b) => n + b.size, 0));
    expect(proxy.stats().requestBytes["blob-upload"]).toBe(orders.bytesSent);
    // The two platform manifests, the index, and the tag (plus the cache entry's manifest).
    expect(proxy.stats().requests["PUT manifest"]).toBeGreaterThanOrEqual(4);
  });

  it("with cache: registry, a fresh clone with an empty local cache builds nothing", async () => {
    const shared = `registry: ${proxy.url}/team\ncache: registry\n`;
    const teammate = await project(shared);
    const pushed = await push(teammate);
    expect(pushed.push).toHaveLength(4);
    // The second push re-sends neither images nor cache entries.
    proxy.reset();
    await push(teammate);
    expect(proxy.stats().requestBytes["blob-upload"]).toBe(0);
    expect(proxy.stats().requests["PUT manifest"] ?? 0).toBe(0);

    const clone = await project(shared);
    const result = await runDray(["build", "--json"], { cwd: clone });
    expect(result.code, result.stderr).toBe(0);
    const built = JSON.parse(result.stdout) as PushJson;
    expect(built.services.map((s) => [s.name, s.cached, s.fromRegistry])).toEqual([
      ["api", true, true],
      ["orders", true, true],
      ["users", true, true],
      ["web", true, true],
    ]);
  });

  it("the pushed image is pulled and run by Docker's engine", async () => {
    if (process.env["DRAY_TEST_ENGINE_ERROR"]) throw new Error(process.env["DRAY_TEST_ENGINE_ERROR"]);
    const reference = first.push.find((p) => p.service === "users")!.reference;
    // Pulled straight from the registry (not the proxy), by digest.
    const direct = reference.replace(proxy.url, registry.url);
    const name = `dray-publish-${process.pid}`;
    try {
      await run("docker", ["pull", "-q", direct]);
      await run("docker", ["run", "-d", "--name", name, "-p", "127.0.0.1::8080", direct]);
      const { stdout } = await run("docker", ["port", name, "8080/tcp"]);
      const url = `http://${stdout.trim().split("\n")[0]}/`;
      let body = "";
      for (let i = 0; i < 50 && !body; i++) {
        body = await fetch(url, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.text())
          .catch(() => "");
        if (!body) await new Promise((r) => setTimeout(r, 200));
      }
      expect(body).toMatch(/^users: /);
    } finally {
      await run("docker", ["rm", "-f", name]).catch(() => undefined);
      await run("docker", ["rmi", "-f", direct]).catch(() => undefined);
    }
  });
});

describe("registry errors at the CLI", () => {
  it("an unknown registry host is one clear line naming it, with exit code 1 and no stack", async () => {
    const root = await project("registry: registry.invalid/shop\n");
    const result = await runDray(["push", "users"], { cwd: root });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/registry\.invalid/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toContain("internal error");
  });

  it("push without a registry in dray.yaml says how to add one", async () => {
    const root = await project("");
    const result = await runDray(["push"], { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no registry is configured/);
    expect(result.stderr).toMatch(/registry: HOST/);
  });
});
