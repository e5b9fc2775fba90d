/**
 * `dray dev` against the real Docker engine, with its dashboard in a real headless Chromium: an
 * edit to a Go service is live in the running container (same container, FROM-scratch image with
 * no shell or tar), two quick edits leave the last one running, a compile error keeps the old
 * version serving, a change no rule covers rebuilds with the reason printed, and the dashboard
 * shows the update's timing bar, streams logs and triggers a rebuild.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../support/browser.js";
import { copyExample, drayBin } from "../support/dray.js";
import { removeProject } from "../support/engine-project.js";
import { freePort } from "../support/registry.js";

const run = promisify(execFile);
const project = `dv${process.pid}`;
const artifacts = path.resolve(import.meta.dirname, "../../test-artifacts");

/** Polls `probe` until it returns a value (bounded). */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("dray dev on the example against a real Docker engine", () => {
  let dir: string;
  let child: ChildProcess;
  let stderr = "";
  let apiPort: number;
  let dashboardPort: number;
  let browser: Browser;
  let page: Page;
  const mainGo = () => path.join(dir, "services", "api", "main.go");

  const answer = async (urlPath = "/") => {
    const res = await fetch(`http://127.0.0.1:${apiPort}${urlPath}`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 ? await res.text() : undefined;
  };
  const answersWith = (text: string, urlPath = "/") =>
    eventually(
      async () => ((await answer(urlPath))?.includes(text) ? true : undefined),
      `api to answer "${text}"`,
    );
  const apiContainer = async () =>
    (await run("docker", ["ps", "-q", "--no-trunc", "--filter", `name=^${project}-api$`])).stdout.trim();
  /** Every container of the project's api service, running or not, under any name. */
  const apiContainers = async () =>
    (
      await run("docker", [
        "ps",
        "-a",
        "-q",
        "--filter",
        `label=dray.project=${project}`,
        "--filter",
        "label=dray.service=api",
      ])
    ).stdout
      .split("\n")
      .filter(Boolean);
  const editGreeting = async (to: string) => {
    const source = await readFile(mainGo(), "utf8");
    const next = source.replace(/"api[^"]*: %s\\n"/, `"api ${to}: %s\\n"`);
    expect(next).not.toBe(source);
    await writeFile(mainGo(), next);
  };

  beforeAll(async () => {
    dir = await copyExample("dray-dev-");
    apiPort = await freePort();
    dashboardPort = await freePort();
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace("project: shop", `project: ${project}`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace('"18080:8080"', `"${apiPort}:8080"`)
      .replace(/ {6}publish: \["1808[12]:8080"\]\n/g, "");
    await writeFile(file, yaml);
    child = spawn(process.execPath, [drayBin, "dev", "--dashboard-port", String(dashboardPort)], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (c) => {
      stderr += c;
    });
    child.stderr!.on("data", (c) => {
      stderr += c;
    });
    await eventually(
      async () => (stderr.includes("watching ") ? true : undefined),
      "dray dev to start watching",
      240_000,
    );
    await mkdir(artifacts, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${dashboardPort}/`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await removeProject(project);
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("deploys the example and the dashboard lists its services", async () => {
    expect(await answer()).toBe("api: hello from shop\n");
    await page.getByText("orders", { exact: true }).first().waitFor({ timeout: 10_000 });
    for (const service of ["api", "orders", "users"])
      await expect(page.locator(`tr[data-service="${service}"]`).count()).resolves.toBe(1);
  }, 60_000);

  it("an edit to a Go service is live in the same container (FROM scratch: no shell, no tar), with every step timed", async () => {
    const before = await apiContainer();
    const { stdout: shell } = await run("docker", ["export", before]).catch(() => ({ stdout: "" }));
    expect(shell).not.toContain("bin/sh");
    // dray's supervisor runs in front of the service, so a new binary starts without a container restart.
    const { stdout: entrypoint } = await run("docker", [
      "inspect",
      "-f",
      "{{json .Config.Entrypoint}}",
      before,
    ]);
    expect(JSON.parse(entrypoint)).toEqual(["/.dray/dray-supervise", "/app/api"]);
    const { stdout: startedBefore } = await run("docker", ["inspect", "-f", "{{.State.StartedAt}}", before]);
    await editGreeting("v2");
    await answersWith("api v2: hello from shop");
    expect(await apiContainer()).toBe(before);
    const { stdout: startedAfter } = await run("docker", ["inspect", "-f", "{{.State.StartedAt}}", before]);
    expect(startedAfter).toBe(startedBefore);
    // On this machine's engine the binary is compiled into the mounted directory and swapped in: no copy.
    await eventually(
      async () =>
        /api live ✓ detect \S+ · compile \S+ · swap \S+ · restart \S+ · ready \S+ = /.test(stderr)
          ? true
          : undefined,
      "the update line",
    );
    // The dashboard shows the update's steps as a bar.
    const bar = page.locator('[data-testid="update-bar"][data-service="api"]');
    await bar.waitFor({ timeout: 10_000 });
    const steps = await bar
      .locator('[data-testid="update-step"]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-step")));
    expect(steps).toEqual(["detect", "compile", "swap", "restart", "ready"]);
    await page.screenshot({ path: path.join(artifacts, "dev-dashboard-live.png"), fullPage: true });
  }, 120_000);

  it("on this machine's engine, the binary comes from the project's .dray/dev/live, mounted read-only, and nothing else of the host", async () => {
    expect(stderr).toContain(
      `live updates: binaries are compiled into ${path.join(dir, ".dray", "dev", "live")}, mounted read-only`,
    );
    const { stdout } = await run("docker", ["inspect", "-f", "{{json .Mounts}}", await apiContainer()]);
    const mounts = JSON.parse(stdout) as { Type: string; Source: string; Destination: string; RW: boolean }[];
    expect(mounts).toEqual([
      expect.objectContaining({
        Type: "bind",
        Source: path.join(dir, ".dray", "dev", "live", "api"),
        Destination: "/.dray/live",
        RW: false,
      }),
    ]);
    // The live binary on the host is the one the container runs (the image's own /app/api is older).
    const live = (await readdir(path.join(dir, ".dray", "dev", "live", "api"))).filter(
      (f) => !f.startsWith("."),
    );
    expect(live).toHaveLength(1);
    const { stdout: env } = await run("docker", [
      "inspect",
      "-f",
      "{{json .Config.Env}}",
      await apiContainer(),
    ]);
    expect(JSON.parse(env)).toContain(`DRAY_SUPERVISE_LIVE=/.dray/live/${live[0]}`);
  }, 60_000);

  it("the supervisor's reload port refuses a request without the container's token", async () => {
    const { stdout } = await run("docker", [
      "inspect",
      "-f",
      `{{(index .NetworkSettings.Networks "${project}").IPAddress}}`,
      await apiContainer(),
    ]);
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: stdout.trim(), port: 47470 }, () =>
        socket.write("reload not-the-token\n"),
      );
      let text = "";
      socket.on("data", (c) => {
        text += c;
      });
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
      socket.setTimeout(5000, () => socket.destroy());
    });
    expect(reply).toBe("");
    expect(await answer()).toBe("api v2: hello from shop\n");
  }, 60_000);

  it("streams the service's log lines to the dashboard", async () => {
    await answer("/version");
    await page
      .locator('[data-testid="logs"]')
      .getByText("GET /version 200")
      .first()
      .waitFor({ timeout: 10_000 });
  }, 60_000);

  it("two quick edits in a row: the last one wins", async () => {
    await editGreeting("v3");
    await new Promise((resolve) => setTimeout(resolve, 40));
    await editGreeting("v4");
    await answersWith("api v4: hello from shop");
    // Whatever was in flight has finished by now; the running binary stays the last edit's.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await answer()).toBe("api v4: hello from shop\n");
  }, 120_000);

  it("a compile error shows the compiler's message, the old version keeps serving, and fixing it resumes updates", async () => {
    const source = await readFile(mainGo(), "utf8");
    await writeFile(mainGo(), source.replace("func main() {", "func main() {\n\tundefinedThing()"));
    await eventually(
      async () => (stderr.includes("undefined: undefinedThing") ? true : undefined),
      "the compiler's message",
    );
    expect(stderr).toContain("the previous version keeps running");
    expect(await answer()).toBe("api v4: hello from shop\n");
    await page
      .locator('[data-testid="error"][data-service="api"]')
      .getByText("undefinedThing")
      .waitFor({ timeout: 10_000 });
    await writeFile(mainGo(), source.replace('"api v4: %s\\n"', '"api v5: %s\\n"'));
    await answersWith("api v5: hello from shop");
  }, 120_000);

  it("a change no live rule covers rebuilds and redeploys that one service, saying why", async () => {
    const before = await apiContainer();
    const page_ = path.join(dir, "services", "api", "static", "index.html");
    await writeFile(page_, `${await readFile(page_, "utf8")}<!-- edited in the dev test -->\n`);
    await eventually(
      async () =>
        /api: rebuilding and redeploying — services\/api\/static\/index\.html is packed into the image by `files`/.test(
          stderr,
        )
          ? true
          : undefined,
      "the rebuild reason",
    );
    await answersWith("edited in the dev test", "/static/index.html");
    expect(await apiContainer()).not.toBe(before);
  }, 180_000);

  it("the dashboard's Rebuild button rebuilds and redeploys the service", async () => {
    const ordersContainer = async () =>
      (await run("docker", ["ps", "-q", "--no-trunc", "--filter", `name=^${project}-orders$`])).stdout.trim();
    const before = await ordersContainer();
    await page.locator('tr[data-service="orders"] button').click();
    await eventually(
      async () =>
        stderr.includes("orders: rebuilding and redeploying — rebuild requested") ? true : undefined,
      "the rebuild",
    );
    await eventually(
      async () => (/orders rebuild ✓/.test(stderr) ? true : undefined),
      "the rebuild to finish",
      120_000,
    );
    expect(stderr).toMatch(/orders: replacing \(replacement forced\)/);
    expect(await ordersContainer()).not.toBe(before);
    await page.screenshot({ path: path.join(artifacts, "dev-dashboard.png"), fullPage: true });
  }, 180_000);

  it("a live.sync rule added to dray.yaml copies static files into the running container, without a rebuild or restart", async () => {
    const file = path.join(dir, "dray.yaml");
    const yaml = await readFile(file, "utf8");
    const mapping = "      - { from: services/api/static, to: /srv/static }\n";
    expect(yaml).toContain(mapping);
    const mark = stderr.length;
    await writeFile(
      file,
      yaml.replace(
        mapping,
        `${mapping}    live: { sync: ["services/api/static:/srv/static"], restart: false }\n`,
      ),
    );
    await eventually(
      async () =>
        /dray\.yaml changed: deploying what it changed[\s\S]*api: ready/.test(stderr.slice(mark))
          ? true
          : undefined,
      "dray.yaml to be applied",
    );
    // "ready" means the new version answers; the old container may still be on its way out. Take
    // the container once the project has just one api container left.
    await eventually(
      async () => ((await apiContainers()).length === 1 ? true : undefined),
      "one api container",
    );
    const before = await apiContainer();
    const { stdout: startedBefore } = await run("docker", ["inspect", "-f", "{{.State.StartedAt}}", before]);
    const page_ = path.join(dir, "services", "api", "static", "index.html");
    await writeFile(page_, `${await readFile(page_, "utf8")}<!-- synced live -->\n`);
    await answersWith("synced live", "/static/index.html");
    await eventually(
      async () => (/api live ✓ detect \S+ · copy \S+ · ready \S+ = /.test(stderr) ? true : undefined),
      "a live update without compile or restart",
    );
    expect(await apiContainer()).toBe(before);
    const { stdout: startedAfter } = await run("docker", ["inspect", "-f", "{{.State.StartedAt}}", before]);
    expect(startedAfter).toBe(startedBefore);
  }, 180_000);

  it("Ctrl-C stops watching and leaves the services running", async () => {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("the services keep running");
    expect(await apiContainer()).not.toBe("");
    expect(await answer()).toBe("api v5: hello from shop\n");
    // The running container keeps its live binary (only dray's temporary files are gone): restarted
    // by the engine, it still serves the last edit, not its image's older binary.
    const liveDir = path.join(dir, ".dray", "dev", "live", "api");
    expect((await readdir(liveDir)).filter((f) => f.startsWith("."))).toEqual([]);
    await run("docker", ["restart", "-t", "2", await apiContainer()]);
    await answersWith("api v5: hello from shop");
  }, 60_000);
});

describe("dray dev copying binaries through the engine's archive API (DRAY_DEV_COPY=archive)", () => {
  const archiveProject = `da${process.pid}`;
  let dir: string;
  let child: ChildProcess | undefined;
  let output = "";
  let port: number;

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await removeProject(archiveProject);
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("mounts nothing, and an edit is copied in, restarted and live in the same container (of a target with a project name of its own)", async () => {
    dir = await copyExample("dray-dev-archive-");
    port = await freePort();
    const file = path.join(dir, "dray.yaml");
    // The target names the project: dev mode must find its containers under that name, not `shop`.
    const yaml = (await readFile(file, "utf8"))
      .replace("local: { type: docker }", `local: { type: docker, project: ${archiveProject} }`)
      .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
      .replace('"18080:8080"', `"${port}:8080"`)
      .replace(/ {6}publish: \["1808[12]:8080"\]\n/g, "");
    await writeFile(file, yaml);
    child = spawn(process.execPath, [drayBin, "dev", "--no-dashboard", "api"], {
      cwd: dir,
      env: { ...process.env, CI: "true", NO_COLOR: "1", DRAY_DEV_COPY: "archive" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (c) => {
      output += c;
    });
    child.stderr!.on("data", (c) => {
      output += c;
    });
    await eventually(
      async () => (output.includes("watching ") ? true : undefined),
      "dray dev to start",
      240_000,
    );
    expect(output).toContain(
      "live updates: binaries are copied through the engine's archive API (DRAY_DEV_COPY=archive)",
    );
    const container = (
      await run("docker", ["ps", "-q", "--no-trunc", "--filter", `name=^${archiveProject}-api$`])
    ).stdout.trim();
    const { stdout: mounts } = await run("docker", ["inspect", "-f", "{{json .Mounts}}", container]);
    expect(JSON.parse(mounts)).toEqual([]);

    const mainGo = path.join(dir, "services", "api", "main.go");
    const source = await readFile(mainGo, "utf8");
    const next = source.replace(/"api[^"]*: %s\\n"/, `"api copied: %s\\n"`);
    expect(next).not.toBe(source);
    await writeFile(mainGo, next);
    await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      return (await res.text()).includes("api copied: hello from shop") ? true : undefined;
    }, "api to answer the edit");
    await eventually(
      async () =>
        /api live ✓ detect \S+ · compile \S+ · copy \S+ · restart \S+ · ready \S+ = /.test(output)
          ? true
          : undefined,
      "the update line",
    );
    expect(
      (
        await run("docker", ["ps", "-q", "--no-trunc", "--filter", `name=^${archiveProject}-api$`])
      ).stdout.trim(),
    ).toBe(container);
    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }, 400_000);
});

describe("dray dev when the engine cannot be reached", () => {
  it("exits 3 with what to do, and does not stay running for its dashboard", async () => {
    const { runDray } = await import("../support/dray.js");
    const dir = await copyExample("dray-dev-noengine-");
    try {
      const result = await runDray(["dev"], {
        cwd: dir,
        env: { DOCKER_HOST: "unix:///tmp/dray-no-engine-here.sock" },
        timeoutMs: 60_000,
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(
        /cannot reach the container engine at unix:\/\/\/tmp\/dray-no-engine-here\.sock/,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(path.dirname(dir), { recursive: true, force: true });
    }
  }, 90_000);
});
