// The plain path that teams take without dray: per service `go build`, `docker build` of a
// FROM-scratch image with the binary, `docker push` to a registry. Everything here talks only to
// 127.0.0.1 (a registry started for the run) and the local Docker engine's unix socket, and
// everything it creates is labelled with the run's id so cleanUp removes exactly that.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ENGINE_SOCKET, httpGet } from "./http.mjs";
import { runTimed } from "./run.mjs";

/** Debian's docker.io client: it matches the engine (20.10) and still has the classic builder. */
export const DOCKER = "/usr/bin/docker";
/** Debian's docker-registry (CNCF distribution 2.8). */
export const REGISTRY = "/usr/bin/docker-registry";

const DOCKERFILE = 'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n';
/** The go flags a CI script typically uses for a static image binary. */
const GO_BUILD = ["build", "-trimpath", "-ldflags=-s -w"];

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Milliseconds since `start` (a process.hrtime.bigint()). */
export const since = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Makes sure the Docker engine answers GET /_ping; if it does not, starts it with the project's
 * scripts/start-engine.sh (which returns once it answers, or fails after 60 s). Returns whether
 * this call started it.
 */
export async function ensureEngine(repo) {
  if ((await httpGet({ socketPath: ENGINE_SOCKET, path: "/_ping" })).status === 200) return false;
  const script = join(repo, "scripts", "start-engine.sh");
  const result = spawnSync("bash", [script], { encoding: "utf8", timeout: 90_000 });
  if (result.status !== 0 || (await httpGet({ socketPath: ENGINE_SOCKET, path: "/_ping" })).status !== 200) {
    throw new Error(
      `the Docker engine is not answering on ${ENGINE_SOCKET}: ${result.stderr || result.error}`,
    );
  }
  return true;
}

/**
 * Starts a registry of our own on 127.0.0.1:<free port> with storage in `dir`, and waits (at most
 * `waitMs`) for GET /v2/ to answer 200. Returns { host, stop }; stop() is synchronous, so it can
 * run from a signal handler.
 */
export async function startRegistry(dir, waitMs = 30_000) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "data")}`,
      "  delete:",
      "    enabled: true",
      "",
    ].join("\n"),
  );
  const logFile = join(dir, "registry.log");
  const log = openSync(logFile, "w");
  // Its own process group, so stop() ends it and anything it started, and nothing else.
  const child = spawn(REGISTRY, ["serve", config], { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = code ?? signal;
  });
  child.on("error", (error) => {
    exited = error.message;
  });
  const stop = () => {
    if (exited !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && exited === null) {
    if ((await httpGet({ host: "127.0.0.1", port, path: "/v2/" })).status === 200)
      return { host: `127.0.0.1:${port}`, stop };
    await sleep(100);
  }
  stop();
  const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-10).join("\n") : "";
  throw new Error(
    `${REGISTRY} did not answer GET /v2/ on 127.0.0.1:${port} ${exited === null ? `within ${waitMs / 1000} s` : `(exited: ${exited})`}\n${tail}`,
  );
}

/**
 * What a CI script does for one service's image: `go build` into a Docker context of its own,
 * then `docker build` of a FROM-scratch image labelled `label` and tagged `tag`. Resolves to the
 * hrtime marks { begin, built, imaged }, so callers time the step they add after it.
 */
export async function buildPlainImage({ fleet, contexts, name, tag, label, goEnv, dockerEnv, timeoutMs }) {
  const context = join(contexts, name);
  mkdirSync(context, { recursive: true });
  writeFileSync(join(context, "Dockerfile"), DOCKERFILE);
  // A fresh checkout has no binary; with one in place go build would skip an up-to-date link.
  rmSync(join(context, "app"), { force: true });
  const begin = process.hrtime.bigint();
  await runTimed("go", [...GO_BUILD, "-o", join(context, "app"), `./services/${name}`], {
    cwd: fleet,
    env: goEnv,
    timeoutMs,
  });
  const built = process.hrtime.bigint();
  await runTimed(DOCKER, ["build", "-q", "--force-rm", "--label", label, "-t", tag, "."], {
    cwd: context,
    env: dockerEnv,
    timeoutMs,
  });
  return { begin, built, imaged: process.hrtime.bigint() };
}

/**
 * The plain path for one fleet. `goEnv` is the environment for go (GOCACHE etc.); docker gets a
 * config directory of its own under `work`, so the user's docker config is neither read nor
 * written. Every image is labelled `dray-bench-changes=<runId>`.
 */
export function createPlainPath({ fleet, work, registry, goEnv, runId, timeoutMs }) {
  const label = `dray-bench-changes=${runId}`;
  const contexts = join(work, "plain-contexts");
  const dockerConfig = join(work, "docker-config");
  mkdirSync(dockerConfig, { recursive: true });
  const dockerEnv = {
    ...process.env,
    DOCKER_BUILDKIT: "0",
    DOCKER_CONFIG: dockerConfig,
    DOCKER_CLI_HINTS: "false",
  };
  const tagOf = (name) => `${registry}/fleet/${name}:latest`;

  /** go build + docker build + docker push of one service; each step's wall time in ms. */
  async function buildService(name) {
    const { begin, built, imaged } = await buildPlainImage({
      fleet,
      contexts,
      name,
      tag: tagOf(name),
      label,
      goEnv,
      dockerEnv,
      timeoutMs,
    });
    await runTimed(DOCKER, ["push", "-q", tagOf(name)], { cwd: contexts, env: dockerEnv, timeoutMs });
    const go = Number(built - begin) / 1e6;
    const build = Number(imaged - built) / 1e6;
    const total = since(begin);
    return { go, build, push: total - go - build, total };
  }

  /**
   * Removes every container and image this run labelled. Synchronous with timeouts, so it works
   * from a signal handler and cannot hang.
   */
  function cleanUp() {
    const docker = (args) =>
      spawnSync(DOCKER, args, { env: dockerEnv, encoding: "utf8", timeout: 60_000 }).stdout ?? "";
    const ids = (args) => [...new Set(docker(args).split("\n").filter(Boolean))];
    const containers = ids(["ps", "-aq", "--filter", `label=${label}`]);
    if (containers.length) docker(["rm", "-f", ...containers]);
    const images = ids(["images", "-aq", "--filter", `label=${label}`]);
    if (images.length) docker(["rmi", "-f", ...images]);
    return { containers: containers.length, images: images.length };
  }

  return { buildService, cleanUp, tagOf };
}
