// The deploy script teams write without dray: for every service `go build`, `docker build` of a
// FROM-scratch image with the binary, then replace its container (`docker rm -f`, `docker run -d`),
// and at the end wait until every container answers /healthz. Also what both sides of the deploy
// benchmark use to see a version answering. Everything talks only to the
// engine's unix socket and to container addresses on a bridge network of this run; everything the
// script creates is labelled `dray-bench-deploy=<run id>`, so cleanUp removes exactly that.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ENGINE_SOCKET, httpGet } from "./http.mjs";
import { buildPlainImage, DOCKER, since } from "./plain-path.mjs";
import { runTimed } from "./run.mjs";

/** The port every fleet service listens on (PORT=8080, see lib/go/server.go). */
export const PORT = 8080;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * The address of container `name` on `network`, asked of the engine's API directly (a few ms,
 * where the docker CLI would add its own start-up to every measurement); undefined when the
 * container does not exist (yet) or has no address there.
 */
export async function containerAddress(name, network) {
  const res = await httpGet({
    socketPath: ENGINE_SOCKET,
    path: `/containers/${encodeURIComponent(name)}/json`,
  });
  if (res.status !== 200) return undefined;
  return JSON.parse(res.body).NetworkSettings?.Networks?.[network]?.IPAddress || undefined;
}

/**
 * Polls GET http://<address of container `name`>:PORT<path> every `intervalMs` until the answer
 * is 200 and contains `text`; the address is looked up again on every miss, because a replaced
 * container comes back with a new one. Resolves to the milliseconds since `start` (a
 * process.hrtime.bigint()); rejects after `timeoutMs`, with the last answer.
 */
export async function waitAnswering({
  name,
  network,
  path = "/",
  text = "",
  start,
  timeoutMs,
  intervalMs = 10,
}) {
  const deadline = Date.now() + timeoutMs;
  let last = "nothing yet";
  for (;;) {
    const host = await containerAddress(name, network);
    if (host) {
      const res = await httpGet({ host, port: PORT, path, timeoutMs: 1000 });
      if (res.status === 200 && res.body.includes(text)) return since(start);
      last = res.status
        ? `${res.status} ${JSON.stringify(res.body.trim().slice(0, 120))}`
        : `no answer from ${host}`;
    } else last = `no container ${name} with an address on ${network}`;
    if (Date.now() > deadline)
      throw new Error(
        `GET ${path} of ${name} did not answer${text ? ` "${text}"` : ""} within ${timeoutMs / 1000} s: ${last}`,
      );
    await sleep(intervalMs);
  }
}

/**
 * The plain deploy script for one fleet. `goEnv` is go's environment (its own GOCACHE, GOOS etc.);
 * docker runs with a config directory of its own under `work` and the classic builder.
 */
export function createPlainDeploy({ fleet, work, goEnv, runId, timeoutMs }) {
  const label = `dray-bench-deploy=${runId}`;
  const network = `dray-bench-deploy-${runId}`;
  const contexts = join(work, "plain-contexts");
  const dockerConfig = join(work, "docker-config");
  mkdirSync(dockerConfig, { recursive: true });
  const dockerEnv = {
    ...process.env,
    DOCKER_BUILDKIT: "0",
    DOCKER_CONFIG: dockerConfig,
    DOCKER_CLI_HINTS: "false",
  };
  const docker = (args, cwd = work) => runTimed(DOCKER, args, { cwd, env: dockerEnv, timeoutMs });
  const containerOf = (name) => `${network}-${name}`;
  const tagOf = (name) => `${network}/${name}:latest`;
  const existing = new Set();

  /** The script's bridge network, which every container joins. */
  async function createNetwork() {
    await docker(["network", "create", "--label", label, network]);
  }

  /** go build + docker build + replace the container of one service; each step's wall time in ms. */
  async function deployService(name) {
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
    // `docker rm -f` of a container that does not exist fails; a script would ignore that error.
    if (existing.has(containerOf(name))) await docker(["rm", "-f", containerOf(name)]);
    await docker([
      "run",
      "-d",
      "--name",
      containerOf(name),
      "--network",
      network,
      "--label",
      label,
      "-e",
      `PORT=${PORT}`,
      tagOf(name),
    ]);
    existing.add(containerOf(name));
    const go = Number(built - begin) / 1e6;
    const build = Number(imaged - built) / 1e6;
    const total = since(begin);
    return { go, build, replace: total - go - build, total };
  }

  /** The whole script: every service in turn, then wait until each container answers /healthz. */
  async function deployAll(names, waitMs) {
    const start = process.hrtime.bigint();
    const steps = [];
    for (const name of names) steps.push(await deployService(name));
    const replaced = since(start);
    await Promise.all(
      names.map((name) =>
        waitAnswering({ name: containerOf(name), network, path: "/healthz", start, timeoutMs: waitMs }),
      ),
    );
    return { ms: since(start), replacedMs: replaced, steps };
  }

  /** Container IDs by container name, for the checks. */
  function containerIds() {
    const out = spawnSync(DOCKER, ["ps", "-aq", "--no-trunc", "--filter", `label=${label}`], {
      env: dockerEnv,
      encoding: "utf8",
      timeout: 60_000,
    });
    return (out.stdout ?? "").split("\n").filter(Boolean);
  }

  /**
   * Removes every container, image and network this script labelled. Synchronous with timeouts, so
   * it works from a signal handler and cannot hang.
   */
  function cleanUp() {
    const run = (args) =>
      spawnSync(DOCKER, args, { env: dockerEnv, encoding: "utf8", timeout: 60_000 }).stdout ?? "";
    const ids = (args) => [...new Set(run(args).split("\n").filter(Boolean))];
    const containers = ids(["ps", "-aq", "--filter", `label=${label}`]);
    if (containers.length) run(["rm", "-f", ...containers]);
    const images = ids(["images", "-aq", "--filter", `label=${label}`]);
    if (images.length) run(["rmi", "-f", ...images]);
    const networks = ids(["network", "ls", "-q", "--filter", `label=${label}`]);
    if (networks.length) run(["network", "rm", ...networks]);
    return { containers: containers.length, images: images.length, networks: networks.length };
  }

  return { network, containerOf, createNetwork, deployService, deployAll, containerIds, cleanUp };
}
