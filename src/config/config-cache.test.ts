/**
 * The config cache on a real temporary directory: what is read back equals what was resolved
 * (registry settings included), positions survive, and a vanished CA file invalidates it.
 */
import { lstat, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfig } from "./check-config.js";
import { pathStates, readCachedConfig, writeCachedConfig } from "./config-cache.js";
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

describe("path states", () => {
  /** What a state is by definition: lstat's kind and realpath, each asked of the path itself. */
  async function direct(p: string): Promise<string | undefined> {
    const info = await lstat(p).catch(() => undefined);
    return info && `${info.isDirectory() ? "d" : "f"}${await realpath(p).catch(() => p)}`;
  }

  it("agree with lstat and realpath of each path, through symlinked parents, and follow a retargeted one", async () => {
    const links = path.join(root, "links");
    await mkdir(path.join(links, "a", "svc"), { recursive: true });
    await mkdir(path.join(links, "b", "svc"), { recursive: true });
    await writeFile(path.join(links, "a", "file"), "x");
    await symlink(path.join(links, "a"), path.join(links, "current"));
    await symlink(path.join(links, "a", "file"), path.join(links, "file-link"));
    const paths = [
      path.join(links, "current", "svc"),
      path.join(links, "current", "file"),
      path.join(links, "current"),
      path.join(links, "file-link"),
      path.join(links, "missing"),
      path.join(links, "current", "missing"),
      path.join(links, "a", "svc"),
    ];
    const states = pathStates();
    const before = await Promise.all(paths.map(states));
    expect(before).toEqual(await Promise.all(paths.map(direct)));
    expect(before[0]).toBe(`d${await realpath(path.join(links, "a", "svc"))}`);
    // Another reader (another run) sees the parent's new target.
    await rm(path.join(links, "current"));
    await symlink(path.join(links, "b"), path.join(links, "current"));
    const after = await Promise.all(paths.map(pathStates()));
    expect(after).toEqual(await Promise.all(paths.map(direct)));
    expect(after[0]).not.toBe(before[0]);
  });
});
