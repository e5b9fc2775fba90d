/**
 * `dray promote` between two docker targets on one engine, each with its own real registry: staging
 * pulls from registry A, prod from registry B. Promotion copies A's images into B and prod ends up
 * running the very image IDs staging runs, with no build (Go is not even on the PATH); an unhealthy
 * staging service blocks its own promotion and leaves prod as it was.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
const project = `pm${process.pid}`;
const staging = `${project}-staging`;
const prod = `${project}-prod`;
const mirror = `${project}-mirror`;

interface Container {
  id: string;
  /** The image ID the engine runs it from. */
  image: string;
  /** The reference it was created from. */
  reference: string;
  env: string[];
  /** Its memory limit in bytes; 0 for none. */
  memory: number;
}

/** The containers of one target (its project name on the engine), by service. */
async function containers(target: string): Promise<Record<string, Container>> {
  const { stdout } = await run("docker", ["ps", "-aq", "--filter", `label=dray.project=${target}`]);
  const ids = stdout.split("\n").filter(Boolean);
  if (ids.length === 0) return {};
  const { stdout: json } = await run("docker", ["inspect", ...ids]);
  const out: Record<string, Container> = {};
  for (const c of JSON.parse(json) as {
    Id: string;
    Image: string;
    Config: { Image: string; Env: string[]; Labels: Record<string, string> };
    HostConfig: { Memory: number };
  }[])
    out[c.Config.Labels["dray.service"]!] = {
      id: c.Id,
      image: c.Image,
      reference: c.Config.Image,
      env: c.Config.Env,
      memory: c.HostConfig.Memory,
    };
  return out;
}

interface PromoteJson {
  built: boolean;
  images: {
    service: string;
    imageId: string;
    from: string;
    to: string;
    copy: string;
    blobs: { uploaded: number; mounted: number };
  }[];
  target: { name: string };
  services: { service: string; action: string; status: string; to: string }[];
}

describe("dray promote between two docker targets with two registries", () => {
  let dir: string;
  let a: TestRegistry;
  let b: TestRegistry;
  /** A PATH without Go: a promotion that tried to build would fail. */
  let noGo: string;

  const withoutGo = (): NodeJS.ProcessEnv => ({ PATH: noGo, DRAY_GO: "" });
  const dray = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runDray(args, { cwd: dir, timeoutMs: 300_000, env });

  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    dir = await copyExample("dray-promote-");
    noGo = path.join(path.dirname(dir), "bin-without-go");
    await mkdir(noGo);
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      // Both targets share one engine: no host ports, so they cannot collide.
      .replace(/ {6}publish: \["1808[012]:8080"\]\n/g, "")
      .replace(
        "  local: { type: docker }",
        [
          `  staging: { type: docker, project: ${staging}, registry: ${a.url}/shop }`,
          "  prod:",
          "    extends: staging",
          `    project: ${prod}`,
          `    registry: ${b.url}/shop`,
          "    services:",
          "      api: { env: { STAGE: prod } }",
          "      orders: { resources: { memory: 64Mi } }",
          `  k8s: { type: kubernetes, registry: ${b.url}/shop }`,
          `  mirror: { extends: staging, project: ${mirror}, registry: ${a.url}/mirror }`,
        ].join("\n"),
      );
    await writeFile(file, yaml);
  }, 60_000);

  afterAll(async () => {
    await removeProject(staging);
    await removeProject(prod);
    await removeProject(mirror);
    for (const registry of [a, b]) {
      const { stdout } = await run("docker", [
        "images",
        "-q",
        "--filter",
        `reference=${registry?.url}/shop/*`,
      ]);
      const ids = [...new Set(stdout.split("\n").filter(Boolean))];
      if (ids.length > 0) await run("docker", ["rmi", "-f", ...ids]).catch(() => undefined);
      await registry?.stop();
    }
    await rm(path.dirname(dir), { recursive: true, force: true });
  }, 120_000);

  it("staging deploys from registry A", async () => {
    const result = await dray(["deploy", "-t", "staging", "api", "orders"]);
    expect(result.code, result.stderr).toBe(0);
    const live = await containers(staging);
    expect(Object.keys(live).sort()).toEqual(["api", "orders"]);
    for (const c of Object.values(live))
      expect(c.reference).toMatch(new RegExp(`^${a.url}/shop/\\w+@sha256:`));
  }, 300_000);

  it("promote copies A's images into B and prod runs the same image IDs, without a build", async () => {
    const before = await containers(staging);
    // Without Go nothing can be built: a deploy, which builds, fails; the promotion below must not build.
    const build = await dray(["deploy", "-t", "prod", "--dry-run"], withoutGo());
    expect(build.code).toBe(3);
    const result = await dray(
      ["promote", "--from", "staging", "--to", "prod", "api", "orders", "--json"],
      withoutGo(),
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as PromoteJson;
    expect(json.built).toBe(false);
    expect(json.target.name).toBe("prod");
    expect(json.images.map((i) => [i.service, i.copy])).toEqual([
      ["api", "copied"],
      ["orders", "copied"],
    ]);
    for (const image of json.images) {
      expect(image.blobs.uploaded).toBeGreaterThan(0);
      // The same digest on both sides: copied, not rebuilt.
      expect(image.to.split("@")[1]).toBe(image.from.split("@")[1]);
      expect(image.to.startsWith(`${b.url}/shop/${image.service}@`)).toBe(true);
    }
    expect(json.services.map((s) => [s.service, s.action, s.status])).toEqual([
      ["api", "create", "done"],
      ["orders", "create", "done"],
    ]);
    const live = await containers(prod);
    for (const service of ["api", "orders"]) {
      expect(live[service]!.image).toBe(before[service]!.image);
      expect(live[service]!.reference).toMatch(new RegExp(`^${b.url}/shop/${service}@sha256:`));
    }
    // prod's own settings: its override of api's env, which staging does not have.
    expect(live.api!.env).toContain("STAGE=prod");
    expect(before.api!.env).not.toContain("STAGE=prod");
    expect([live.orders!.memory, before.orders!.memory]).toEqual([64 * 2 ** 20, 0]);
    // Staging was only read.
    expect(await containers(staging)).toEqual(before);
  }, 300_000);

  it("dray status reads each target under its own project name; render pins a target's own registry", async () => {
    const status = await dray(["status", "-t", "prod", "--json"], withoutGo());
    expect(status.code, status.stderr).toBe(0);
    const services = (JSON.parse(status.stdout) as { services: { service: string; imageId?: string }[] })
      .services;
    const staged = await containers(staging);
    expect(services.filter((s) => s.imageId).map((s) => [s.service, s.imageId])).toEqual([
      ["api", staged.api!.image],
      ["orders", staged.orders!.image],
    ]);
    const render = await dray(["render", "api", "-t", "k8s", "--no-push"]);
    expect(render.code, render.stderr).toBe(0);
    expect(render.stdout).toMatch(new RegExp(`image: ${b.url}/shop/api@sha256:[0-9a-f]{64}`));
  }, 300_000);

  it("onto a target of the same registry, the blobs are mounted from staging's repository, not sent", async () => {
    const result = await dray(
      ["promote", "--from", "staging", "--to", "mirror", "api", "--json"],
      withoutGo(),
    );
    expect(result.code, result.stderr).toBe(0);
    const [image] = (JSON.parse(result.stdout) as PromoteJson).images;
    expect(image).toMatchObject({ copy: "copied", blobs: { uploaded: 0 } });
    expect(image!.blobs.mounted).toBeGreaterThan(0);
    expect((await containers(mirror)).api!.image).toBe((await containers(staging)).api!.image);
  }, 300_000);

  it("promoting again copies nothing and changes nothing", async () => {
    const before = await containers(prod);
    const result = await dray(
      ["promote", "--from", "staging", "--to", "prod", "api", "orders", "--json"],
      withoutGo(),
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as PromoteJson;
    expect(json.images.map((i) => i.copy)).toEqual(["present", "present"]);
    expect(json.services.map((s) => s.action)).toEqual(["keep", "keep"]);
    expect(await containers(prod)).toEqual(before);
  }, 300_000);

  it("an unhealthy staging service blocks its promotion, naming it and its state; prod is left as it was", async () => {
    const before = await containers(prod);
    await run("docker", ["stop", "-t", "1", `${staging}-orders`]);
    const result = await dray(["promote", "--from", "staging", "--to", "prod", "orders"], withoutGo());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /cannot promote from target staging: orders is exited \(code \d+\) on target staging/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await containers(prod)).toEqual(before);
    // The healthy one may still go.
    const api = await dray(
      ["promote", "--from", "staging", "--to", "prod", "api", "--dry-run", "--json"],
      withoutGo(),
    );
    expect(api.code, api.stderr).toBe(0);
    expect((JSON.parse(api.stdout) as PromoteJson).services).toEqual([
      expect.objectContaining({ service: "api", action: "keep" }),
    ]);
  }, 300_000);

  it("a target that extends an unknown one is exit 2 at its line, with the chain", async () => {
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    await writeFile(file, yaml.replace("    extends: staging", "    extends: stagin"));
    try {
      const result = await dray(["promote", "--from", "staging", "--to", "prod"], withoutGo());
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /dray\.yaml:\d+:\d+ {2}targets\.prod\.extends: extends "stagin", which is not a target — did you mean "staging"\? \(chain: prod → stagin\)/,
      );
    } finally {
      await writeFile(file, yaml);
    }
  }, 60_000);
});
