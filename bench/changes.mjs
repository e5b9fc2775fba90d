#!/usr/bin/env node
// Change-detection benchmark: what dray costs when little or nothing changed, side by side in one
// run with the plain path teams take without it (go build + docker build + docker push per
// service). Scenarios: no-op plan/build, one leaf service changed, a comment reworded in the
// most-shared package, and how no-op time grows with the number of services. Talks only to
// 127.0.0.1 and the local Docker engine; stops by itself and removes what it made.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { formatChangesReport, sec, spread } from "./lib/changes-report.mjs";
import { planFleet, serviceName, writeFleet } from "./lib/fleet.mjs";
import { changeGreeting, rewordComment } from "./lib/fleet-edits.mjs";
import { cleanUpOnSignals, createChecks, drayEnvironment, runDrayJson } from "./lib/harness.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { createPlainPath, DOCKER, ensureEngine, REGISTRY, since, startRegistry } from "./lib/plain-path.mjs";
import { median, writeSection } from "./lib/results.mjs";
import { forEachLimited, runTimed, stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/changes.mjs [--services 100] [--packages 10] [--repeat 5]
  [--scale 100,300] [--leaf svc-050] [--plain-jobs 1] [--plain-services N] [--no-plain]
  [--dray PATH] [--timeout SECONDS] [--keep] [--no-results]
  --scale LIST        fleet sizes for the no-op scaling table (each up to 1000); sizes other
                      than --services are generated and cold-built first (minutes each)
  --leaf NAME         the service whose response string changes (default: the middle one)
  --plain-jobs N      services the plain path builds at a time (default 1, like a CI script)
  --plain-services N  send only the first N services through the plain path and extrapolate
                      the fleet's time (default: all of them)
  --no-plain          skip the plain path (no registry, no Docker engine needed)
  --dray PATH         the dray entry to run (default: bin/dray.js of this checkout)`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 100,
    packages: 10,
    repeat: 5,
    scale: "100,300",
    leaf: "",
    "plain-jobs": 1,
    "plain-services": 0,
    "no-plain": false,
    dray: "",
    timeout: 1800,
    keep: false,
    "no-results": false,
  },
  usage,
);
const scale = args.scale.split(",").map((s) => Number(s.trim()));
const leaf = args.leaf || serviceName(args.services >> 1);
const bad = [
  [args.services < 1 || args.services > 1000, "--services must be 1..1000"],
  [args.packages < 1 || args.packages > 100, "--packages must be 1..100"],
  [args.repeat < 1 || args.repeat > 50, "--repeat must be 1..50"],
  [
    scale.some((n) => !Number.isInteger(n) || n < 1 || n > 1000),
    "--scale takes sizes 1..1000, comma-separated",
  ],
  [args["plain-jobs"] < 1, "--plain-jobs must be at least 1"],
  [!/^svc-\d{3}$/.test(leaf) || Number(leaf.slice(4)) >= args.services, `--leaf ${leaf} is not in the fleet`],
].find(([failed]) => failed);
if (bad) {
  console.error(`error: ${bad[1]}\n${usage}`);
  process.exit(2);
}

const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
const missing = [drayBin, ...(args["no-plain"] ? [] : [DOCKER, REGISTRY])].filter((p) => !existsSync(p));
if (missing.length) {
  console.error(`error: missing ${missing.join(", ")} (build dray with \`npm run build\`; see scripts/)`);
  process.exit(2);
}

const timeoutMs = args.timeout * 1000;
const runId = `${process.pid}-${Date.now().toString(36)}`;
const work = mkdtempSync(join(tmpdir(), "dray-bench-changes-"));
const goCache = join(work, "go-cache");
const drayEnv = drayEnvironment(work, goCache);
/** Environment for plain `go build`s; the plain path gets a Go cache of its own, empty at first. */
const goEnvWith = (cache) => ({
  ...process.env,
  GOCACHE: cache,
  CGO_ENABLED: "0",
  GOOS: "linux",
  GOARCH: "amd64",
  GOFLAGS: "",
  GOTOOLCHAIN: "local",
});
const goEnv = goEnvWith(goCache);

// Everything the run started, so that cleanUp (also on Ctrl-C) stops and removes exactly that.
let registry = null;
let plain = null;
let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  stopAll();
  registry?.stop();
  if (plain) {
    const removed = plain.cleanUp();
    console.error(
      `removed ${removed.images} Docker image(s) and ${removed.containers} container(s) of this run`,
    );
  }
  if (args.keep) console.error(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
cleanUpOnSignals(cleanUp, (line) => console.error(line));

const log = (line) => console.error(line);
const { checks, check } = createChecks(log);

/** Runs dray in `fleet`; returns the wall time (spawn to exit, hrtime) and the parsed JSON. */
const dray = (fleet, argv) => runDrayJson(drayBin, argv, { cwd: fleet, env: drayEnv, timeoutMs });

/** Counts of a `dray build --json` result; throws when any service failed to build. */
function summarize(json) {
  const services = json.services ?? [];
  const failed = services.filter((s) => s.status !== "built");
  if (failed.length) {
    const what = failed.map((s) => `${s.name}: ${s.error?.message ?? s.status}`).join("\n");
    throw new Error(`dray build failed for ${failed.length} service(s):\n${what}`);
  }
  const byChange = {};
  for (const s of services) byChange[s.change] = (byChange[s.change] ?? 0) + 1;
  return {
    count: services.length,
    byChange,
    notCached: services.filter((s) => !s.cached).map((s) => s.name),
    changed: services.filter((s) => s.change === "changed").map((s) => s.name),
  };
}
const describeCounts = (byChange) =>
  Object.entries(byChange)
    .map(([k, v]) => `${v} ${k}`)
    .join(", ");

/** Generates a fleet of `services` in `dir` and cold-builds it; returns the build's wall time. */
async function coldFleet(dir, services) {
  writeFleet(dir, planFleet({ services, packages: args.packages, big: 0 }));
  const { ms, json } = await dray(dir, ["build", "--json"]);
  const s = summarize(json);
  check(
    `cold build of ${services}: every service built`,
    s.count === services && s.notCached.length === services,
    describeCounts(s.byChange),
  );
  return ms;
}

/** R repeats of no-op `dray plan --json` and `dray build --json`, interleaved. */
async function noop(dir, services, label) {
  const out = { plan: [], build: [], planOk: true, buildOk: true };
  for (let r = 0; r < args.repeat; r++) {
    const plan = await dray(dir, ["plan", "--json"]);
    const moved = plan.json.services.filter((s) => s.status !== "unchanged");
    if (plan.json.services.length !== services || moved.length) out.planOk = false;
    out.plan.push(plan.ms);
    const build = await dray(dir, ["build", "--json"]);
    const s = summarize(build.json);
    if (s.count !== services || s.notCached.length || (s.byChange.unchanged ?? 0) !== services)
      out.buildOk = false;
    out.build.push(build.ms);
    if (!out.planOk || !out.buildOk) {
      log(`  plan: ${moved.map((m) => `${m.service} ${m.status} (${m.reason})`).join("; ")}`);
      log(`  build: ${describeCounts(s.byChange)}; not cached: ${s.notCached.join(", ")}`);
    }
  }
  check(`${label}: no-op \`dray plan\` lists all ${services} unchanged`, out.planOk);
  check(`${label}: no-op \`dray build\` finds all ${services} cached and unchanged`, out.buildOk);
  log(`  no-op plan ${spread(out.plan)}, build ${spread(out.build)}`);
  return out;
}

/** One plain pass over `names` (all services, or the first --plain-services); scaled to the fleet. */
async function plainPass(names) {
  const start = process.hrtime.bigint();
  const steps = [];
  await forEachLimited(names, args["plain-jobs"], async (name) => steps.push(await plain.buildService(name)));
  const ms = since(start);
  return { ms, extrapolatedMs: (ms * args.services) / names.length, steps };
}

/** The leaf scenario: per repeat a bare go build, the plain path, and dray, each after its own edit. */
async function leafChange(fleet) {
  const out = { dray: [], bare: [], plain: [], ok: true };
  for (let r = 0; r < args.repeat; r++) {
    changeGreeting(fleet, leaf, `bare ${runId} ${r}`);
    const binary = join(work, "bare-go-build");
    rmSync(binary, { force: true });
    const start = process.hrtime.bigint();
    await runTimed("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", binary, `./services/${leaf}`], {
      cwd: fleet,
      env: goEnv,
      timeoutMs,
    });
    out.bare.push(since(start));
    if (plain) {
      changeGreeting(fleet, leaf, `plain ${runId} ${r}`);
      out.plain.push(await plain.buildService(leaf));
    }
    // dray's edit comes last, so the fleet ends each repeat in the state dray last built.
    changeGreeting(fleet, leaf, `dray ${runId} ${r}`);
    const { ms, json } = await dray(fleet, ["build", "--json"]);
    const s = summarize(json);
    const ok =
      s.notCached.length === 1 && s.notCached[0] === leaf && s.changed.length === 1 && s.changed[0] === leaf;
    if (!ok) {
      out.ok = false;
      log(`  repeat ${r + 1}: ${describeCounts(s.byChange)}; not cached: ${s.notCached.join(", ")}`);
    }
    out.dray.push(ms);
    const p = out.plain.at(-1);
    log(
      `  repeat ${r + 1}: go build ${sec(out.bare.at(-1))}, plain ${p ? sec(p.total) : "-"}, dray build ${sec(ms)}`,
    );
  }
  check(`leaf change: each \`dray build\` rebuilt exactly ${leaf}, as changed`, out.ok);
  return out;
}

/** The comment scenario: reword a comment in the most-shared package, plan, then build. */
async function commentChange(fleet) {
  const graph = (await dray(fleet, ["graph", "--json"])).json;
  const shared = [...graph.packages].sort((a, b) => b.count - a.count)[0];
  const edit = rewordComment(join(fleet, shared.dir));
  edit.file = relative(fleet, edit.file);
  log(`  ${edit.file}:${edit.line}: "${edit.before}" → "${edit.after}"`);
  const plan = (await dray(fleet, ["plan", "--json"])).json;
  const planChanged = plan.services.filter((s) => s.status === "changed").length;
  const { ms, json } = await dray(fleet, ["build", "--json"]);
  const s = summarize(json);
  const out = {
    dir: shared.dir,
    dependents: shared.count,
    edit,
    planChanged,
    ms,
    changed: s.byChange.changed ?? 0,
    identical: s.byChange["rebuilt-identical"] ?? 0,
    unchanged: s.byChange.unchanged ?? 0,
  };
  log(`  dray build ${sec(ms)}: ${describeCounts(s.byChange)}`);
  check(`comment change: 0 changed images`, out.changed === 0, s.changed.join(", "));
  check(
    `comment change: all ${shared.count} dependents of ${shared.dir} rebuilt-identical`,
    out.identical === shared.count,
    `${out.identical} rebuilt-identical`,
  );
  return out;
}

/** Newest modification time and file count of dray's compiled code, to notice a rebuild mid-run. */
function distStamp() {
  const dist = join(dirname(drayBin), "..", "dist");
  let newest = 0;
  let files = 0;
  for (const entry of existsSync(dist) ? readdirSync(dist, { recursive: true }) : []) {
    const stat = statSync(join(dist, entry));
    if (stat.isFile()) {
      files++;
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return `${files} files, newest ${new Date(newest).toISOString()}`;
}

function drayVersion() {
  try {
    const git = (a) => execFileSync("git", ["-C", repo, ...a], { encoding: "utf8", timeout: 10_000 }).trim();
    const dirty = git(["status", "--porcelain", "--", "src"]) ? " + uncommitted changes in src/" : "";
    return `${git(["rev-parse", "--short", "HEAD"])}${dirty}`;
  } catch {
    return "(version unknown)";
  }
}

try {
  const machine = describeMachine();
  const fleet = join(work, "fleet");
  const names = Array.from({ length: args.services }, (_, i) => serviceName(i));
  const distAtStart = distStamp();
  const distBuilt = distAtStart.replace(/.*newest (\d{4}-\d\d-\d\d)T(\d\d:\d\d).*/, "$1 $2 UTC");
  const result = { args, machine, dray: `${drayVersion()}, dist/ built ${distBuilt}`, checks, notes: [] };
  result.fleet = { services: args.services, packages: args.packages, leaf };
  log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; work dir ${work}`,
  );

  log(`cold build: ${args.services} services, ${args.packages} packages, empty Go and dray caches`);
  result.cold = { ms: await coldFleet(fleet, args.services) };
  log(`  ${sec(result.cold.ms)}`);

  log(`no-op: ${args.repeat} × dray plan, dray build`);
  result.noop = await noop(fleet, args.services, `${args.services} services`);

  if (!args["no-plain"]) {
    const started = await ensureEngine(repo);
    if (started)
      result.notes.push("The Docker engine was started by scripts/start-engine.sh and left running.");
    registry = await startRegistry(join(work, "registry"));
    const plainEnv = goEnvWith(join(work, "go-cache-plain"));
    plain = createPlainPath({ fleet, work, registry: registry.host, goEnv: plainEnv, runId, timeoutMs });
    const sampled = args["plain-services"] ? Math.min(args["plain-services"], args.services) : args.services;
    const subset = names.slice(0, sampled);
    result.plainFleet = { services: args.services, sampled };
    log(`plain path: ${sampled} services, ${args["plain-jobs"]} at a time, registry ${registry.host}`);
    result.plainFleet.first = await plainPass(subset);
    log(`  first pass ${sec(result.plainFleet.first.ms)}`);
    result.plainFleet.rerun = await plainPass(subset);
    log(`  re-run, nothing changed ${sec(result.plainFleet.rerun.ms)}`);
  }

  log(`leaf change: ${args.repeat} edits of ${leaf}`);
  result.leaf = await leafChange(fleet);

  log("comment-only change in the most-shared package");
  result.comment = await commentChange(fleet);

  result.scale = [];
  for (const size of scale) {
    if (size === args.services) {
      result.scale.push({ services: size, coldMs: result.cold.ms, ...result.noop, note: "the fleet above" });
      continue;
    }
    log(`scaling: ${size} services (cold build first, Go cache shared: packages already compiled)`);
    const dir = join(work, `fleet-${size}`);
    const coldMs = await coldFleet(dir, size);
    log(`  cold ${sec(coldMs)}`);
    const measured = await noop(dir, size, `${size} services`);
    result.scale.push({ services: size, coldMs, ...measured, note: "cold build with the Go cache warm" });
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
  result.scale.sort((a, b) => a.services - b.services);
  if (!scale.includes(1000)) {
    // The largest fleet's cold build says most about the per-service cost (the main fleet's also
    // pays for compiling the standard library and shared packages once).
    const basis = result.scale.at(-1);
    const perService = basis.coldMs / basis.services;
    result.notes.push(
      `1000 services not measured: its cold build alone would take about ${Math.round((perService * 1000) / 60_000)} min ` +
        `here (${sec(perService)} per service in the cold build of ${basis.services}); ` +
        "pass `--scale 100,300,1000` to measure it.",
    );
  }
  const bareMedian = median(result.leaf.bare);
  const largest = result.scale.at(-1);
  result.notes.push(
    `No-op \`dray build\` at ${largest.services} services: ${sec(median(largest.build))}, against ` +
      `${sec(bareMedian * largest.services)} for ${largest.services} bare go builds of one service.`,
  );

  const distAtEnd = distStamp();
  check("dray's compiled code (dist/) did not change during the run", distAtEnd === distAtStart, distAtEnd);
  result.notes.push(`Load average at the end: ${loadavg()[0].toFixed(1)} (at start: ${machine.load}).`);

  const report = formatChangesReport(result);
  console.log(report.markdown);
  if (!args["no-results"]) {
    writeSection(join(repo, "bench", "RESULTS.md"), report.key, report.markdown);
    log("updated bench/RESULTS.md");
  }
  if (checks.some((c) => !c.ok)) {
    log(`${checks.filter((c) => !c.ok).length} check(s) FAILED; see the Checks list`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
