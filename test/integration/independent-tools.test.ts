/**
 * dray's images judged by tools that share no code with it: skopeo and umoci read the layout,
 * and Docker's engine runs the image and it answers HTTP.
 */
import { execFile } from "node:child_process";
import { access, constants, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";

const run = promisify(execFile);
let project: string;
let layout: string;

beforeAll(async () => {
  project = await copyExample("dray-tools-");
  const result = await runDray(["build"], { cwd: project });
  expect(result.code, result.stderr).toBe(0);
  layout = path.join(project, ".dray", "oci");
});

afterAll(async () => {
  await rm(path.dirname(project), { recursive: true, force: true });
});

describe("skopeo", () => {
  it("inspects the multi-platform tag and each platform's config", async () => {
    const { stdout: raw } = await run("skopeo", ["inspect", "--raw", `oci:${layout}:api`]);
    const index = JSON.parse(raw);
    expect(index.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(
      index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort(),
    ).toEqual(["amd64", "arm64"]);

    const { stdout: arm } = await run("skopeo", ["inspect", "--config", `oci:${layout}:api.linux-arm64`]);
    const config = JSON.parse(arm);
    expect(config.architecture).toBe("arm64");
    expect(config.os).toBe("linux");
    expect(config.config.Labels).toEqual({ team: "edge" });
    expect(config.config.Env).toContain("PORT=8080");
    expect(config.created).toBe("1970-01-01T00:00:00Z");

    const { stdout: amd } = await run("skopeo", ["inspect", `oci:${layout}:api.linux-amd64`]);
    expect(JSON.parse(amd).Architecture).toBe("amd64");
  });
});

describe("umoci", () => {
  it("unpacks the image into a bundle with the binary and the static files", async () => {
    const bundle = path.join(path.dirname(project), "bundle");
    await run("umoci", ["unpack", "--image", `${layout}:api.linux-amd64`, bundle]);
    const binary = path.join(bundle, "rootfs", "app", "api");
    await access(binary, constants.X_OK);
    expect((await stat(binary)).size).toBeGreaterThan(1_000_000);
    const runtime = JSON.parse(await readFile(path.join(bundle, "config.json"), "utf8"));
    expect(runtime.process.args).toEqual(["/app/api"]);
    expect(runtime.process.user).toMatchObject({ uid: 65532, gid: 65532 });
  });
});

describe("Docker engine", () => {
  const image = `dray-it/api:${process.pid}`;
  const container = `dray-it-api-${process.pid}`;

  afterAll(async () => {
    await run("docker", ["rm", "-f", container]).catch(() => undefined);
    await run("docker", ["rmi", "-f", image]).catch(() => undefined);
  });

  it("runs the scratch image as a non-root user and it answers HTTP", async () => {
    if (process.env["DRAY_TEST_ENGINE_ERROR"]) throw new Error(process.env["DRAY_TEST_ENGINE_ERROR"]);
    await run("skopeo", ["copy", "--quiet", `oci:${layout}:api.linux-amd64`, `docker-daemon:${image}`]);
    await run("docker", ["run", "-d", "--name", container, "-p", "127.0.0.1::8080", image]);
    const { stdout: port } = await run("docker", ["port", container, "8080/tcp"]);
    const url = `http://${port.trim().split("\n")[0]}`;
    const body = await poll(`${url}/`, 15_000);
    expect(body).toMatch(/^api: /);
    expect(await poll(`${url}/healthz`, 5_000)).toBe("ok");
    const { stdout: user } = await run("docker", ["inspect", "-f", "{{.Config.User}}", container]);
    expect(user.trim()).toBe("65532:65532");
  });
});

/** GET until it answers 200 (the container needs a moment to listen), bounded in time. */
async function poll(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return (await response.text()).trim();
      last = new Error(`HTTP ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${String(last)}`);
}
