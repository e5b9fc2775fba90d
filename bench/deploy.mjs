#!/usr/bin/env node
// Deploy benchmark: wall time of `dray deploy` (docker target, images loaded straight into the
// local engine) for the first deploy of a generated fleet, a deploy with nothing changed and a
// deploy after one service changed (edit → new version answering), in one run next to the script
// teams write without dray: `go build` + `docker build` of every service, then replace every
// container. Talks only to the engine's unix socket and to container addresses on the run's own
// bridge networks; stops by itself and removes every container, image and network it made.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { formatDeployReport, sec } from "./lib/deploy-report.mjs";
import { deployableYaml, removeDrayProject } from "./lib/dray-project.mjs";
import { planFleet, serviceName, writeFleet } from "./lib/fleet.mjs";
import { changeGreeting } from "./lib/fleet-edits.mjs";
import { cleanUpOnSignals, createChecks, drayEnvironment, runDrayJson } from "./lib/harness.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { createPlainDeploy, waitAnswering } from "./lib/plain-deploy.mjs";
import { DOCKER, ensureEngine } from "./lib/plain-path.mjs";
import { writeSection } from "./lib/results.mjs";
import { stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/deploy.mjs [--services 30] [--packages 10] [--repeat 5] [--plain-repeat 1]
  [--leaf svc-015] [--no-plain] [--dray PATH] [--compare PATH] [--timeout SECONDS] [--keep] [--no-results]
  --repeat N        no-change and one-change dray deploys (medians reported)
  --plain-repeat N  no-change and one-change runs of the plain script (each replaces everything)
  --leaf NAME       the service whose response string changes (default: the middle one)
  --no-plain        skip the plain script
  --compare PATH    another bin/dray.js (e.g. a build of the previous commit): its no-change and
                    one-change deploys alternate with --dray's on the same fleet, and a table sets
                    the two side by side (the cold build and first deploy are --dray's)`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 30,
    packages: 10,
    repeat: 5,
    "plain-repeat": 1,
    leaf: "",
    "no-plain": false,
    dray: "",
    compare: "",
    timeout: 900,
    keep: false,
    "no-results": false,
  },
  usage,
);
const leaf = args.leaf || serviceName(args.services >> 1);
const bad = [
  [args.services < 1 || args.services > 200, "--services must be 1..200 (one container each)"],
  [args.packages < 1 || args.packages > 100, "--packages must be 1..100"],
  [args.repeat < 1 || args.repeat > 50, "--repeat must be 1..50"],
  [args["plain-repeat"] < 1 || args["plain-repeat"] > 10, "--plain-repeat must be 1..10"],
  [args.timeout < 10, "--timeout must be at least 10 seconds"],
  [!/^svc-\d{3}$/.test(leaf) || Number(leaf.slice(4)) >= args.services, `--leaf ${leaf} is not in the fleet`],
].find(([failed]) => failed);
if (bad) {
  console.error(`error: ${bad[1]}\n${usage}`);
  process.exit(2);
}
const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
const compareBin = args.compare ? resolve(args.compare) : "";
const missing = [drayBin, ...(compareBin ? [compareBin] : []), DOCKER].filter((p) => !existsSync(p));
if (missing.length) {
  console.error(`error: missing ${missing.join(", ")} (build dray with \`npm run build\`; see scripts/)`);
  process.exit(2);
}

const timeoutMs = args.timeout * 1000;
const runId = `${process.pid}-${Date.now().toString(36)}`;
// dray's project name: its network, container names (<project>-<service>) and image tags.
const project = `bdeploy${runId}`;
const work = mkdtempSync(join(tmpdir(), "dray-bench-deploy-"));
const fleet = join(work, "fleet");
const drayEnv = drayEnvironment(work);
/** The plain script's go environment: a Go cache of its own, empty at first. */
const plainGoEnv = {
  ...process.env,
  GOCACHE: join(work, "go-cache-plain"),
  CGO_ENABLED: "0",
  GOOS: "linux",
  GOARCH: "amd64",
  GOFLAGS: "",
  GOTOOLCHAIN: "local",
};
const dockerEnv = { ...process.env, DOCKER_CONFIG: join(work, "docker-config"), DOCKER_CLI_HINTS: "false" };
const log = (line) => console.error(line);

/** The docker CLI, synchronously with a timeout (checks and clean-up, never inside a timing). */
function dockerSync(argv) {
  const out = spawnSync(DOCKER, argv, { env: dockerEnv, encoding: "utf8", timeout: 60_000 });
  return (out.stdout ?? "").split("\n").filter(Boolean);
}

// Everything the run made, so that cleanUp (also on a signal) removes exactly that: dray's
// containers carry dray.project=<project>, its network is named after the project, its image tags
// are <project>/<service>:<id>; the plain script labels what it makes.
let plain = null;
let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  stopAll();
  const removed = removeDrayProject(project, dockerEnv);
  log(
    `removed dray's ${removed.containers} container(s), ${removed.images} image(s), ${removed.networks} network(s)`,
  );
  if (plain) {
    const removed = plain.cleanUp();
    log(
      `removed the plain script's ${removed.containers} container(s), ${removed.images} image(s), ${removed.networks} network(s)`,
    );
  }
  if (args.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
cleanUpOnSignals(cleanUp, log);
const { checks, check } = createChecks(log);

/** Runs dray (`bin`, default --dray's) in the fleet; wall time (spawn to exit) and parsed JSON. */
const dray = (argv, bin = drayBin) => runDrayJson(bin, argv, { cwd: fleet, env: drayEnv, timeoutMs });
/** The binaries the repeated deploys alternate between: --dray's, then --compare's. */
const bins = compareBin ? [drayBin, compareBin] : [drayBin];

/** Each service's running container of this project: service → { id, state }; also any extras. */
function liveContainers() {
  const rows = dockerSync([
    "ps",
    "-a",
    "--no-trunc",
    "--filter",
    `label=dray.project=${project}`,
    "--format",
    '{{.Label "dray.service"}} {{.ID}} {{.State}}',
  ]);
  const byService = new Map();
  let extra = 0;
  for (const row of rows) {
    const [service, id, state] = row.split(" ");
    if (byService.has(service)) extra++;
    byService.set(service, { id, state });
  }
  return { byService, extra };
}

/**
 * Top-level spans of dray's own track in a `--trace` file: name → summed milliseconds of the wall
 * time each one added. A span inside another one (the build's inner "build" inside the outer, or
 * the target's connect, lock and live state read while the build runs) is part of that one, not
 * added again; a span that runs past the end of an earlier one adds only the time past it.
 */
function readSpans(file) {
  const trace = JSON.parse(readFileSync(file, "utf8"));
  const tracks = new Map();
  for (const e of trace.traceEvents)
    if (e.ph === "M" && e.name === "thread_name") tracks.set(e.tid, e.args.name);
  const own = trace.traceEvents
    .filter((e) => e.ph === "X" && tracks.get(e.tid) === "dray")
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const spans = {};
  let end = -Infinity;
  for (const e of own) {
    const from = Math.max(e.ts, end);
    const to = e.ts + e.dur;
    if (to <= from) continue;
    spans[e.name] = (spans[e.name] ?? 0) + (to - from) / 1000;
    end = to;
  }
  return spans;
}

/** One `dray deploy --json --trace`; throws when the build or any service failed. */
async function drayDeploy(label, bin = drayBin) {
  const traceFile = join(work, `trace-${label}.json`);
  const { ms, json } = await dray(["deploy", "--json", "--trace", traceFile], bin);
  const failed = (json.services ?? []).filter((s) => s.status === "failed" || s.status === "not started");
  if (json.buildFailures?.length || failed.length || json.interrupted) {
    const what = [...(json.buildFailures ?? []), ...failed].map(
      (s) => `${s.service}: ${s.error ?? s.status}`,
    );
    throw new Error(`dray deploy (${label}) failed:\n${what.join("\n")}`);
  }
  const changed = json.services.filter((s) => s.action !== "keep");
  const unchanged = json.services.filter((s) => s.status === "unchanged").length;
  return { ms, json, changed, unchanged, spans: readSpans(traceFile) };
}

try {
  const machine = describeMachine();
  const names = Array.from({ length: args.services }, (_, i) => serviceName(i));
  const notes = [];
  log(
    `work dir ${work}; project ${project}; load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  if (await ensureEngine(repo))
    notes.push("The Docker engine was started by scripts/start-engine.sh and left running.");

  // 1. The fleet, made deployable.
  writeFleet(fleet, planFleet({ services: args.services, packages: args.packages, big: 0 }));
  const generated = readFileSync(join(fleet, "dray.yaml"), "utf8");
  check(
    "the generated dray.yaml has the settings deploy.mjs writes again (go, PORT, port 8080)",
    names.every((n) =>
      generated.includes(`  ${n}:\n    go: ./services/${n}\n    env: { PORT: "8080" }\n    ports: [8080]\n`),
    ),
  );
  writeFileSync(join(fleet, "dray.yaml"), deployableYaml({ project, names, by: "bench/deploy.mjs" }));

  // 2. dray: the cold build alone, then the first deploy (the build is cached by then).
  log(`dray: cold build of ${args.services} services, ${args.packages} packages`);
  const build = await dray(["build", "--json"]);
  check(
    `cold build: ${args.services} services built`,
    build.json.services?.length === args.services && build.json.services.every((s) => s.status === "built"),
  );
  log(`  ${sec(build.ms)}`);
  const first = await drayDeploy("first");
  const afterFirst = liveContainers();
  log(`  first deploy ${sec(first.ms)} (dray's totalMs ${first.json.totalMs})`);
  check(
    `first deploy: ${args.services} services created`,
    first.changed.length === args.services &&
      first.changed.every((s) => s.action === "create" && s.status === "done"),
    `${first.changed.length} changed`,
  );
  check(
    `first deploy: ${args.services} containers running, nothing else`,
    afterFirst.byService.size === args.services &&
      afterFirst.extra === 0 &&
      [...afterFirst.byService.values()].every((c) => c.state === "running"),
    `${afterFirst.byService.size} services, ${afterFirst.extra} extra`,
  );

  // 3. No change.
  // With --compare, each repeat runs --dray's deploy, then the other's: both see the same load.
  const which = (b) => (bins.length > 1 ? ` [${b === 0 ? "dray" : "compare"}]` : "");
  log(`dray: ${args.repeat} deploys with nothing changed${bins.length > 1 ? ", by each binary" : ""}`);
  const noopBy = bins.map(() => []);
  for (let r = 0; r < args.repeat; r++) {
    for (const [b, bin] of bins.entries()) {
      const run = await drayDeploy(`noop-${r}-${b}`, bin);
      const live = liveContainers();
      const sameIds =
        live.extra === 0 &&
        live.byService.size === args.services &&
        names.every((n) => live.byService.get(n)?.id === afterFirst.byService.get(n)?.id);
      noopBy[b].push({ ...run, sameIds });
      log(`  ${r + 1}${which(b)}: ${sec(run.ms)}, ${run.changed.length} changed, ${run.unchanged} unchanged`);
    }
  }
  const noop = noopBy[0];
  const allNoop = noopBy.flat();
  check(
    `no-change deploys: 0 changed, ${args.services} unchanged every time`,
    allNoop.every((n) => n.changed.length === 0 && n.unchanged === args.services),
    allNoop.map((n) => `${n.changed.length}/${n.unchanged}`).join(", "),
  );
  check(
    "no-change deploys: every container ID unchanged",
    allNoop.every((n) => n.sameIds),
  );

  // 4. One service changed: edit → new version answering.
  log(`dray: ${args.repeat} deploys after a new response string in ${leaf}`);
  const changeBy = bins.map(() => []);
  let changeOk = true;
  for (let i = 0; i < args.repeat * bins.length; i++) {
    const r = Math.floor(i / bins.length);
    const b = i % bins.length;
    const before = liveContainers();
    const tag = `dray ${runId} ${r} ${b}`;
    changeGreeting(fleet, leaf, tag);
    const start = process.hrtime.bigint();
    const run = await drayDeploy(`change-${r}-${b}`, bins[b]);
    const endToEnd = await waitAnswering({
      name: `${project}-${leaf}`,
      network: project,
      text: `(${tag})`,
      start,
      timeoutMs: 30_000,
    });
    const after = liveContainers();
    const ok =
      run.changed.length === 1 &&
      run.changed[0].service === leaf &&
      run.changed[0].action === "replace" &&
      run.changed[0].status === "done" &&
      run.unchanged === args.services - 1 &&
      after.extra === 0 &&
      after.byService.get(leaf)?.id !== before.byService.get(leaf)?.id &&
      names.every((n) => n === leaf || after.byService.get(n)?.id === before.byService.get(n)?.id);
    if (!ok) {
      changeOk = false;
      log(
        `  repeat ${r + 1}: changed ${run.changed.map((s) => `${s.service} ${s.action} ${s.status}`).join(", ")}`,
      );
    }
    changeBy[b].push({ ...run, endToEnd, steps: run.changed.find((s) => s.service === leaf)?.steps ?? {} });
    log(`  ${r + 1}${which(b)}: ${sec(endToEnd)} edit → answering (dray ${sec(run.ms)})`);
  }
  const change = changeBy[0];
  check(
    `one-change deploys: exactly ${leaf} replaced, the other ${args.services - 1} kept their container IDs`,
    changeOk,
  );

  // 5. The plain script, on the same fleet with a Go cache of its own.
  const plainRuns = { first: null, noop: [], change: [] };
  if (!args["no-plain"]) {
    plain = createPlainDeploy({ fleet, work, goEnv: plainGoEnv, runId, timeoutMs });
    await plain.createNetwork();
    log(`plain script: ${args.services} services, one at a time, network ${plain.network}`);
    plainRuns.first = await plain.deployAll(names, 60_000);
    log(`  first deploy ${sec(plainRuns.first.ms)} (empty Go cache)`);
    let ids = plain.containerIds();
    check(`plain first deploy: ${args.services} containers answering /healthz`, ids.length === args.services);
    let replacedAll = true;
    for (let r = 0; r < args["plain-repeat"]; r++) {
      const run = await plain.deployAll(names, 60_000);
      const now = plain.containerIds();
      if (now.length !== args.services || now.some((id) => ids.includes(id))) replacedAll = false;
      ids = now;
      plainRuns.noop.push(run);
      log(`  no-change deploy ${r + 1}: ${sec(run.ms)}`);
    }
    for (let r = 0; r < args["plain-repeat"]; r++) {
      const tag = `plain ${runId} ${r}`;
      changeGreeting(fleet, leaf, tag);
      const start = process.hrtime.bigint();
      // Watched while the script runs: the leaf answers the new version before the script ends.
      const answered = waitAnswering({
        name: plain.containerOf(leaf),
        network: plain.network,
        text: `(${tag})`,
        start,
        timeoutMs,
        intervalMs: 20,
      });
      const run = await plain.deployAll(names, 60_000);
      const leafMs = await answered;
      const now = plain.containerIds();
      if (now.length !== args.services || now.some((id) => ids.includes(id))) replacedAll = false;
      ids = now;
      plainRuns.change.push({ ...run, leafMs });
      log(
        `  one-change deploy ${r + 1}: ${leaf} answering after ${sec(leafMs)}, script done after ${sec(run.ms)}`,
      );
    }
    check("plain script: every run replaced every container", replacedAll);
  }

  // 6. Report.
  const md = formatDeployReport({
    args: { ...args, leaf },
    machine,
    loadEnd: loadavg()[0].toFixed(1),
    build,
    first,
    noop,
    change,
    plain: plainRuns,
    notes,
    checks,
    ...(compareBin
      ? {
          compared: {
            dray: args.dray || "bin/dray.js",
            other: args.compare,
            noop: noopBy[1],
            change: changeBy[1],
          },
        }
      : {}),
  });
  console.log(md);
  if (!args["no-results"]) {
    writeSection(join(repo, "bench", "RESULTS.md"), `deploy-${args.services}-${args.packages}`, md);
    log("updated bench/RESULTS.md");
  }
  if (checks.some((c) => !c.ok))
    log(`${checks.filter((c) => !c.ok).length} check(s) FAILED; see the Checks list`);
  cleanUp();
  process.exit(checks.some((c) => !c.ok) ? 1 : 0);
} catch (error) {
  console.error(`error: ${error.stack ?? error}`);
  cleanUp();
  process.exit(1);
}
