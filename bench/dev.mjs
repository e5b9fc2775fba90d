#!/usr/bin/env node
// Dev benchmark: edit → new response latency of `dray dev`'s live update (compile on the host into
// the directory the container has mounted, restart, health check), the same with the engine
// reached over TCP on loopback (the binary copied through the archive API), next to a bare
// `go build` of the same kind of edit, a rebuild and redeploy by `dray deploy`, and the plain path
// (go build + docker build + container replace), for a small service of the fleet and a big one
// (30 MB+ binary). Talks only to the engine's unix socket (also forwarded from a loopback port of
// its own) and to container addresses on the run's own bridge networks; stops by itself and
// removes every container, image and network it made.
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { sec } from "./lib/deploy-report.mjs";
import { formatDevReport } from "./lib/dev-report.mjs";
import { parseUpdateLine, restartContainer, startDevSession, waitForText } from "./lib/dev-session.mjs";
import { deployableYaml, removeDrayProject } from "./lib/dray-project.mjs";
import { startEngineTcp } from "./lib/engine-tcp.mjs";
import { bigName, planFleet, serviceName, writeFleet } from "./lib/fleet.mjs";
import { changeGreeting } from "./lib/fleet-edits.mjs";
import { cleanUpOnSignals, createChecks, drayEnvironment } from "./lib/harness.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { createPlainDeploy } from "./lib/plain-deploy.mjs";
import { DOCKER, ensureEngine, since } from "./lib/plain-path.mjs";
import { writeSection } from "./lib/results.mjs";
import { runTimed, stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/dev.mjs [--services 4] [--packages 3] [--edits 20] [--rebuild-edits 5]
  [--plain-edits 5] [--small svc-002] [--no-plain] [--no-archive] [--dray PATH] [--timeout SECONDS] [--keep]
  [--no-results]
  --edits N          live updates per service, and as many bare go builds (medians reported)
  --no-archive       skip the second dray dev session, on the engine over TCP (binaries copied)
  --rebuild-edits N  edits per service deployed by \`dray deploy <service>\` (image rebuild + replace)
  --plain-edits N    edits per service through the plain path (go build + docker build + replace)
  --small NAME       the small service (default: the middle one); the big one is ${bigName(0)}
  --timeout SECONDS  limit for each command; the whole run stops after 3 × this`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 4,
    packages: 3,
    edits: 20,
    "rebuild-edits": 5,
    "plain-edits": 5,
    small: "",
    "no-plain": false,
    "no-archive": false,
    dray: "",
    timeout: 600,
    keep: false,
    "no-results": false,
  },
  usage,
);
const small = args.small || serviceName(args.services >> 1);
const big = bigName(0);
const bad = [
  [args.services < 1 || args.services > 50, "--services must be 1..50"],
  [args.packages < 1 || args.packages > 20, "--packages must be 1..20"],
  [args.edits < 1 || args.edits > 100, "--edits must be 1..100"],
  [args["rebuild-edits"] < 1 || args["rebuild-edits"] > 50, "--rebuild-edits must be 1..50"],
  [args["plain-edits"] < 1 || args["plain-edits"] > 50, "--plain-edits must be 1..50"],
  [args.timeout < 30, "--timeout must be at least 30 seconds"],
  [
    !/^svc-\d{3}$/.test(small) || Number(small.slice(4)) >= args.services,
    `--small ${small} is not in the fleet`,
  ],
].find(([failed]) => failed);
if (bad) {
  console.error(`error: ${bad[1]}\n${usage}`);
  process.exit(2);
}
const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
const missing = [drayBin, DOCKER].filter((p) => !existsSync(p));
if (missing.length) {
  console.error(`error: missing ${missing.join(", ")} (build dray with \`npm run build\`; see scripts/)`);
  process.exit(2);
}

const timeoutMs = args.timeout * 1000;
const runId = `${process.pid}-${Date.now().toString(36)}`;
const project = `bdev${runId}`;
const work = mkdtempSync(join(tmpdir(), "dray-bench-dev-"));
const fleet = join(work, "fleet");
/** A copy of the fleet that dray does not watch: the bare go builds side by side with dray dev's edits. */
const bareFleet = join(work, "fleet-bare");
const goCache = join(work, "go-cache");
const drayEnv = drayEnvironment(work, goCache);
/** dray's compile, by hand: src/go/flags.ts goBuildArgs and goPlatformEnv for linux/amd64. */
const BARE_GO_BUILD = ["build", "-trimpath", "-buildvcs=false", "-ldflags=-buildid= -s -w"];
const bareEnv = {
  ...process.env,
  GOCACHE: goCache,
  CGO_ENABLED: "0",
  GOOS: "linux",
  GOARCH: "amd64",
  GOAMD64: "v1",
  GOFLAGS: "",
  GOTOOLCHAIN: "local",
};
/** The plain path's go environment: a Go cache of its own. */
const plainGoEnv = { ...bareEnv, GOCACHE: join(work, "go-cache-plain") };
delete plainGoEnv.GOAMD64;
const dockerEnv = { ...process.env, DOCKER_CONFIG: join(work, "docker-config"), DOCKER_CLI_HINTS: "false" };
const log = (line) => console.error(line);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

let session = null;
let plain = null;
let engineTcp = null;
let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  session?.kill();
  engineTcp?.close();
  stopAll();
  const removed = removeDrayProject(project, dockerEnv);
  log(
    `removed dray's ${removed.containers} container(s), ${removed.images} image(s), ${removed.networks} network(s)`,
  );
  if (plain) {
    const p = plain.cleanUp();
    log(
      `removed the plain path's ${p.containers} container(s), ${p.images} image(s), ${p.networks} network(s)`,
    );
  }
  if (args.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
cleanUpOnSignals(cleanUp, log);
setTimeout(() => {
  log(`\nthe run took longer than ${(3 * timeoutMs) / 60_000} minutes: stopping and cleaning up`);
  cleanUp();
  process.exit(1);
}, 3 * timeoutMs).unref();

const { checks, check } = createChecks(log);
const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
/** Where a service answers, for the polls: its container and network. */
const drayContainer = (name) => ({ name: `${project}-${name}`, network: project });

/**
 * `--edits` live updates of `name` under the running `dray dev`: the clock starts at the write and
 * stops when GET / answers the new string; dray's own line for the update gives its step times.
 */
async function liveEdits(name, label = "live") {
  const samples = [];
  for (let i = 0; i < args.edits; i++) {
    const tag = `${label} ${runId} ${i}`;
    const from = session.lines.length;
    const start = process.hrtime.bigint();
    changeGreeting(fleet, name, tag);
    const endToEnd = await waitForText({
      ...drayContainer(name),
      text: `(${tag})`,
      start,
      timeoutMs: 60_000,
    });
    const isUpdate = (line) => parseUpdateLine(line)?.service === name;
    const at = await session.waitForLine(isUpdate, { from, timeoutMs: 10_000 });
    // Apart, so that dray dev never merges two edits into one update.
    await sleep(300);
    const update = parseUpdateLine(session.lines[at]);
    const updates = session.lines.slice(from).filter(isUpdate).length;
    const bare = await bareBeside(name, `${label}-bare ${runId} ${i}`);
    samples.push({ endToEnd, update, updates, bare });
    log(
      `  ${i + 1}: ${sec(endToEnd)} edit → answering (dray: ${session.lines[at].replace(/^\S+ /, "")}); bare go build of the same edit ${sec(bare)}`,
    );
  }
  return samples;
}

/**
 * One bare `go build` of `name` after the same kind of edit, in the copy of the fleet dray does
 * not watch, with dray's flags and Go cache: timed right beside each live update, under the same
 * load (the machine may be shared), it is what a live update is measured against. The bench's own
 * poll of the container (a GET every 5 ms, an engine lookup every 100 ms) runs meanwhile too, as it
 * does while dray dev compiles, so that cost falls on both sides alike.
 */
async function bareBeside(name, tag) {
  const out = join(work, "bare-beside", name);
  mkdirSync(join(work, "bare-beside"), { recursive: true });
  rmSync(out, { force: true });
  changeGreeting(bareFleet, name, tag);
  const polling = new AbortController();
  const poll = waitForText({
    ...drayContainer(name),
    text: `(${tag}) never answered`,
    start: process.hrtime.bigint(),
    timeoutMs,
    signal: polling.signal,
  });
  try {
    const { ms } = await runTimed("go", [...BARE_GO_BUILD, "-o", out, `./services/${name}`], {
      cwd: bareFleet,
      env: bareEnv,
      timeoutMs,
    });
    return ms;
  } finally {
    polling.abort();
    await poll;
  }
}

/** How many times the engine restarts each container alone, for comparison with dray's restart step. */
const RESTARTS = 5;

/**
 * The engine's restart of `name`'s container alone, as dray dev asks for it, and the time until
 * the restarted process answers GET /: what a container restart costs, next to dray dev's restart
 * step (a process reload through its supervisor, or this same restart where that fails).
 */
async function restartsAlone(name) {
  const samples = [];
  for (let i = 0; i < RESTARTS; i++) {
    const start = process.hrtime.bigint();
    const status = await restartContainer(drayContainer(name).name, timeoutMs);
    if (status !== 204) throw new Error(`the engine answered ${status} to restarting ${name}'s container`);
    const restartMs = since(start);
    const answering = await waitForText({
      ...drayContainer(name),
      text: `${name}:`,
      start,
      timeoutMs: 60_000,
    });
    samples.push({ restartMs, answering });
    await sleep(300);
  }
  log(`  ${name}: ${samples.map((s) => `${sec(s.restartMs)} (answering ${sec(s.answering)})`).join(", ")}`);
  return samples;
}

/** Whether a live edit gave exactly one update line for its service, a successful live one. */
const oneLiveUpdate = (s) => s.updates === 1 && s.update.kind === "live" && s.update.ok;

/** Checks that every one of `samples` was one successful live update. */
function checkLive(name, samples, how) {
  check(
    `${name}: every edit was one live update that succeeded (${how})`,
    samples.every(oneLiveUpdate),
    samples
      .map((s, i) =>
        oneLiveUpdate(s)
          ? ""
          : `edit ${i + 1}: ${s.updates} update(s), ${s.update.kind} ${s.update.ok ? "ok" : "failed"}`,
      )
      .filter(Boolean)
      .join("; "),
  );
}

/** Whether every update's steps are `wanted`'s, in that order. */
const stepsAre = (samples, wanted) =>
  samples.every((s) => Object.keys(s.update.steps).join(" ") === wanted.join(" "));

/**
 * The binary dray dev compiled last for `name`: in the service's live directory (the mount way) or
 * in .dray/dev (compiled there to be copied), whichever is newer.
 */
function lastDevBinary(name) {
  const liveDir = join(fleet, ".dray", "dev", "live", name);
  const live = existsSync(liveDir)
    ? readdirSync(liveDir)
        .filter((f) => f.startsWith("bin-"))
        .map((f) => join(liveDir, f))
    : [];
  const copied = join(fleet, ".dray", "dev", name);
  const all = [...live, ...(existsSync(copied) ? [copied] : [])];
  return all.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** `--edits` bare `go build`s of `name` with dray's flags and Go cache; also the binary's size. */
async function bareBuilds(name) {
  const out = join(work, "bare", name);
  mkdirSync(join(work, "bare"), { recursive: true });
  const build = () => {
    rmSync(out, { force: true });
    return runTimed("go", [...BARE_GO_BUILD, "-o", out, `./services/${name}`], {
      cwd: fleet,
      env: bareEnv,
      timeoutMs,
    });
  };
  // First, not timed: the source dray dev compiled last must give the very binary it ran.
  await build();
  const devBinary = lastDevBinary(name);
  const same = devBinary !== undefined && sha256(devBinary) === sha256(out);
  check(`${name}: a bare go build of dray dev's last edit gives the same binary as dray dev's compile`, same);
  const samples = [];
  for (let i = 0; i < args.edits; i++) {
    changeGreeting(fleet, name, `bare ${runId} ${i}`);
    samples.push((await build()).ms);
  }
  log(`  ${name}: ${samples.map(sec).join(", ")}`);
  return { samples, bytes: statSync(out).size };
}

/** `--rebuild-edits` edits of `name`, each deployed by `dray deploy --json <name>`. */
async function rebuildEdits(name) {
  const samples = [];
  for (let i = 0; i < args["rebuild-edits"]; i++) {
    const tag = `rebuild ${runId} ${i}`;
    const start = process.hrtime.bigint();
    changeGreeting(fleet, name, tag);
    const { stdout } = await runTimed(process.execPath, [drayBin, "deploy", "--json", name], {
      cwd: fleet,
      env: drayEnv,
      timeoutMs,
    });
    const drayMs = since(start);
    const endToEnd = await waitForText({
      ...drayContainer(name),
      text: `(${tag})`,
      start,
      timeoutMs: 60_000,
    });
    const changed = (JSON.parse(stdout).services ?? []).filter((s) => s.action !== "keep");
    const replaced = changed.length === 1 && changed[0].action === "replace" && changed[0].status === "done";
    samples.push({ endToEnd, drayMs, replaced });
    log(`  ${i + 1}: ${sec(endToEnd)} edit → answering (dray deploy done after ${sec(drayMs)})`);
  }
  check(
    `${name}: every \`dray deploy\` replaced exactly that service`,
    samples.every((s) => s.replaced),
  );
  return samples;
}

/** The plain path for `name`: one untimed deploy (container, Go cache), then `--plain-edits`. */
async function plainEdits(name) {
  const where = { name: plain.containerOf(name), network: plain.network };
  await plain.deployService(name);
  await waitForText({ ...where, text: `${name}:`, start: process.hrtime.bigint(), timeoutMs: 60_000 });
  const samples = [];
  for (let i = 0; i < args["plain-edits"]; i++) {
    const tag = `plain ${runId} ${i}`;
    const start = process.hrtime.bigint();
    changeGreeting(fleet, name, tag);
    const steps = await plain.deployService(name);
    const endToEnd = await waitForText({ ...where, text: `(${tag})`, start, timeoutMs: 60_000 });
    samples.push({ endToEnd, steps });
    log(
      `  ${i + 1}: ${sec(endToEnd)} edit → answering (go build ${sec(steps.go)}, docker build ${sec(steps.build)}, replace ${sec(steps.replace)})`,
    );
  }
  return samples;
}

try {
  const machine = describeMachine();
  const notes = [];
  log(`work dir ${work}; project ${project}; load ${loadavg()[0].toFixed(1)}`);
  if (await ensureEngine(repo))
    notes.push("The Docker engine was started by scripts/start-engine.sh and left running.");
  writeFleet(fleet, planFleet({ services: args.services, packages: args.packages, big: 1 }));
  cpSync(fleet, bareFleet, { recursive: true });
  const names = [...Array.from({ length: args.services }, (_, i) => serviceName(i)), big];
  writeFileSync(join(fleet, "dray.yaml"), deployableYaml({ project, names, by: "bench/dev.mjs" }));
  const sizes = [
    { label: "small", name: small },
    { label: "big", name: big },
  ];

  // 1. dray dev: its first deploy (empty caches; warms the Go cache), then live updates.
  log(`dray dev ${small} ${big}: first deploy`);
  const begin = process.hrtime.bigint();
  session = startDevSession({
    drayBin,
    args: ["--no-dashboard", small, big],
    cwd: fleet,
    env: drayEnv,
    logFile: join(work, "dray-dev.log"),
  });
  await session.waitForLine((line) => line.startsWith("watching "), { timeoutMs });
  const firstDeployMs = since(begin);
  log(`  watching after ${sec(firstDeployMs)}`);
  check(
    "dray dev on the engine's unix socket: binaries compiled into a read-only mount",
    session.lines.some((line) => /binaries are compiled into .* mounted read-only/.test(line)),
  );
  for (const size of sizes) {
    log(`live updates of ${size.name}`);
    size.live = await liveEdits(size.name);
    checkLive(size.name, size.live, "mount");
    check(
      `${size.name}: every mount update was compile, swap, restart, ready (no copy)`,
      stepsAre(size.live, ["detect", "compile", "swap", "restart", "ready"]),
    );
  }
  const exit = await session.stop();
  check("dray dev stopped on SIGINT with exit status 0", exit === 0, `exit ${exit}`);

  // 1b. The same on the engine over TCP on loopback: dray copies through the archive API.
  if (!args["no-archive"]) {
    engineTcp = await startEngineTcp();
    log(`dray dev over ${engineTcp.host}: deploy (containers replaced: no mount)`);
    session = startDevSession({
      drayBin,
      args: ["--no-dashboard", small, big],
      cwd: fleet,
      env: { ...drayEnv, DOCKER_HOST: engineTcp.host },
      logFile: join(work, "dray-dev-archive.log"),
    });
    await session.waitForLine((line) => line.startsWith("watching "), { timeoutMs });
    check(
      "dray dev on the engine over TCP: binaries copied through the archive API",
      session.lines.some((line) => line.includes("binaries are copied through the engine's archive API")),
    );
    for (const size of sizes) {
      log(`live updates of ${size.name}, archive copy over TCP`);
      size.archive = await liveEdits(size.name, "archive");
      checkLive(size.name, size.archive, "archive copy over TCP");
      check(
        `${size.name}: every archive update had a copy step`,
        size.archive.every((s) => s.update.steps.copy !== undefined),
      );
    }
    const exitArchive = await session.stop();
    check("dray dev over TCP stopped on SIGINT with exit status 0", exitArchive === 0, `exit ${exitArchive}`);
    engineTcp.close();
    engineTcp = null;
  }
  log(`the engine's restart alone, ${RESTARTS} per service`);
  for (const size of sizes) size.restarts = await restartsAlone(size.name);

  // 2. Bare go build of the same kind of edit, with nothing else running.
  log(`bare go build alone, ${args.edits} edits each`);
  for (const size of sizes) {
    const bare = await bareBuilds(size.name);
    size.bareAlone = bare.samples;
    size.binaryBytes = bare.bytes;
  }
  check(
    `${big}: the binary is 30 MB or more`,
    sizes[1].binaryBytes >= 30e6,
    `${(sizes[1].binaryBytes / 1e6).toFixed(1)} MB`,
  );

  // 3. dray deploy: image rebuild + container replace.
  for (const size of sizes) {
    log(`dray deploy ${size.name}, ${args["rebuild-edits"]} edits`);
    size.rebuild = await rebuildEdits(size.name);
  }

  // 4. The plain path, with a Go cache and network of its own.
  if (!args["no-plain"]) {
    plain = createPlainDeploy({ fleet, work, goEnv: plainGoEnv, runId, timeoutMs });
    await plain.createNetwork();
    for (const size of sizes) {
      log(`plain path ${size.name}, ${args["plain-edits"]} edits`);
      size.plain = await plainEdits(size.name);
    }
  }

  const md = formatDevReport({
    args: { ...args, small, big },
    machine,
    loadEnd: loadavg()[0].toFixed(1),
    firstDeployMs,
    sizes,
    notes,
    checks,
  });
  console.log(md);
  if (!args["no-results"]) {
    writeSection(join(repo, "bench", "RESULTS.md"), `dev-${args.services}-${args.packages}`, md);
    log("updated bench/RESULTS.md");
  }
  if (checks.some((c) => !c.ok))
    log(`${checks.filter((c) => !c.ok).length} check(s) FAILED; see the Checks list`);
  cleanUp();
  process.exit(checks.some((c) => !c.ok) ? 1 : 0);
} catch (error) {
  console.error(`error: ${error.stack ?? error}`);
  if (session) console.error(`last lines of dray dev:\n${session.tail(15)}`);
  cleanUp();
  process.exit(1);
}
