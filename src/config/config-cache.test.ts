/**
 * The config cache on a real temporary directory: what is read back equals what was resolved
 * (registry settings included), positions survive, and a vanished CA file invalidates it.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfig } from "./check-config.js";
import { readCachedConfig, writeCachedConfig } from "./config-cache.js";
import { existsOnDisk } from "./exists-on-disk.js";
import type { ResolvedConfig } from "./types.js";

let root: string;
let file: string;
const digest = `sha256:${"cd".repeat(32)}`;
const source = [
  "project: shop",
  "registry: { url: 127.0.0.1:5000/shop, insecure: true, ca: certs/ca.pem }",
  "cache: registry",
  "base: 127.0.0.1:5000/base/static:1.0",
  "services:",
  "  api:",
  "    go: ./services/api",
  "  web:",
  "    go: ./services/web",
  `    base: { image: "ghcr.io/org/base@${digest}", ca: certs/other.pem }`,
  "",
].join("\n");

function resolved(): ResolvedConfig {
  const result = checkConfig({ source, file, display: "dray.yaml", env: {}, exists: existsOnDisk });
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
  return result.config;
}

/** The config without `locate`, which is a function and cannot be compared. */
function data(config: ResolvedConfig): Omit<ResolvedConfig, "locate"> {
  const { locate: _locate, ...rest } = config;
  return rest;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "dray-config-cache-"));
  file = path.join(root, "dray.yaml");
  for (const dir of ["services/api", "services/web", "certs"])
    await mkdir(path.join(root, dir), { recursive: true });
  await writeFile(path.join(root, "certs", "ca.pem"), "ca");
  await writeFile(path.join(root, "certs", "other.pem"), "other");
  await writeFile(file, source);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe("config cache", () => {
  it("reads back the registry, the cache mode and registry bases exactly as resolved", async () => {
    const config = resolved();
    await writeCachedConfig(file, config, {});
    const cached = await readCachedConfig(file, "dray.yaml", {});
    expect(cached).toBeDefined();
    expect(data(cached!)).toEqual(data(config));
    expect(cached!.registry).toEqual({
      url: "127.0.0.1:5000/shop",
      registry: "127.0.0.1:5000",
      namespace: "shop",
      insecure: true,
      caFile: path.join(root, "certs", "ca.pem"),
    });
    expect(cached!.cache).toBe("registry");
    expect(cached!.services.map((s) => s.base)).toEqual(config.services.map((s) => s.base));
  });

  it("keeps the positions of the registry settings", async () => {
    const config = resolved();
    await writeCachedConfig(file, config, {});
    const cached = (await readCachedConfig(file, "dray.yaml", {}))!;
    for (const at of [["registry"], ["cache"], ["base"], ["services", "web", "base"]]) {
      expect(cached.locate(at), at.join(".")).toBe(config.locate(at));
    }
    expect(cached.locate(["registry"])).toBe("dray.yaml:2:11");
  });

  it("is not used once a CA file it names is gone", async () => {
    await writeCachedConfig(file, resolved(), {});
    await rm(path.join(root, "certs", "other.pem"));
    try {
      expect(await readCachedConfig(file, "dray.yaml", {})).toBeUndefined();
    } finally {
      await writeFile(path.join(root, "certs", "other.pem"), "other");
    }
  });
});
