#!/usr/bin/env node
// Scale benchmark: how much memory a cold `dray build` of a large fleet needs, and how long
// `dray plan` takes on a very large one. Runs only local commands (dray, go); stops by itself and
// removes what it made.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { planFleet, writeFleet } from "./lib/fleet.mjs";
import { cleanUpOnSignals, createChecks, drayEnvironment, runDrayJson } from "./lib/harness.mjs";
import { describeMachine, formatMachine } from "./lib/machine.mjs";
import { measureNoopGrowth, noopGrowthTable } from "./lib/noop-growth.mjs";
import { runMeasured, stopMeasured } from "./lib/peak-rss.mjs";
import { checkList, markdownTable, median, writeSection } from "./lib/results.mjs";
import { stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/scale.mjs [--services 1000] [--packages 10] [--plan 5000] [--repeat 3]
  [--noop 100,300,1000,3000] [--noop-build-max 1000] [--fleets DIR] [--compare PATH]
  [--dray PATH] [--timeout SECONDS] [--keep] [--no-results]
  --services N      the fleet whose cold build is measured for memory (0: skip it)
  --plan N          the fleet whose \`dray plan\` is timed, cold and then --repeat times warm (0: skip it)
  --noop LIST       fleet sizes whose no-op \`dray plan\` and \`dray build\` are timed --repeat times
  --noop-build-max N  sizes above N are only planned (a cold build of thousands takes long)
  --fleets DIR      keep the --noop fleets (built once) in DIR and reuse them on the next run
  --compare PATH    a second dray entry (e.g. an older checkout's bin/dray.js), timed side by side`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 1000,
    packages: 10,
    plan: 5000,
    repeat: 3,
    noop: "",
    "noop-build-max": 1000,
    fleets: "",
    compare: "",
    dray: "",
    timeout: 3600,
    keep: false,
    "no-results": false,
  },
  usage,
);
const bad = [
  [args.services < 0 || args.services > 10000, "--services must be 0..10000"],
  [args.plan < 0 || args.plan > 10000, "--plan must be 0..10000"],
  [args.packages < 1 || args.packages > 100, "--packages must be 1..100"],
  [args.repeat < 1 || args.repeat > 20, "--repeat must be 1..20"],
  [
    args.noop !== "" && args.noop.split(",").some((n) => !/^\d+$/.test(n.trim()) || +n < 1 || +n > 10000),
    "--noop takes sizes 1..10000, comma-separated",
  ],
].find(([failed]) => failed);
if (bad) {
  console.error(`error: ${bad[1]}\n${usage}`);
  process.exit(2);
}

const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
const compareBin = args.compare ? resolve(args.compare) : "";
for (const bin of [drayBin, compareBin].filter(Boolean)) {
  if (!existsSync(bin)) {
    console.error(`error: missing ${bin} (build dray with \`npm run build\`)`);
    process.exit(2);
  }
}
const timeoutMs = args.timeout * 1000;
const work = mkdtempSync(join(tmpdir(), "dray-bench-scale-"));
const env = drayEnvironment(work);
const log = (line) => console.error(line);
const { checks, check } = createChecks(log);
const sec = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const mib = (n) => `${Math.round(n)} MiB`;

let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  stopAll();
  stopMeasured();
  if (args.keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
cleanUpOnSignals(cleanUp, log);

function fleet(services) {
  const dir = join(work, `fleet-${services}`);
  writeFleet(dir, planFleet({ services, packages: args.packages, big: 0 }));
  return dir;
}

/** Cold build (empty Go cache, no .dray) under /usr/bin/time, with dray's own peak sampled. */
async function coldBuild(services) {
  const dir = fleet(services);
  log(`cold build of ${services} services (minutes)`);
  const run = await runMeasured(process.execPath, [drayBin, "build", "--json"], { cwd: dir, env, timeoutMs });
  const json = JSON.parse(run.stdout);
  const built = json.services.filter((s) => s.status === "built").length;
  check(`cold build of ${services}: every service built`, built === services, `${built} built`);
  const bytes = json.services.flatMap((s) => s.platforms ?? []).reduce((n, p) => n + p.size, 0);
  log(`  ${sec(run.ms)}; dray ${mib(run.selfMiB)}, largest process ${mib(run.treeMiB)}`);
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  return { services, ms: run.ms, selfMiB: run.selfMiB, treeMiB: run.treeMiB, gb: bytes / 1e9 };
}

/** `dray plan --json`: once cold (nothing listed or hashed yet), then `repeat` times warm. */
async function plans(services) {
  const dir = fleet(services);
  log(`dray plan of ${services} services: cold, then ${args.repeat} warm`);
  const cold = await runMeasured(process.execPath, [drayBin, "plan", "--json"], { cwd: dir, env, timeoutMs });
  const listed = JSON.parse(cold.stdout).services.length;
  check(`plan of ${services}: every service listed`, listed === services, `${listed} listed`);
  const warm = [];
  for (let r = 0; r < args.repeat; r++) {
    warm.push((await runDrayJson(drayBin, ["plan", "--json"], { cwd: dir, env, timeoutMs })).ms);
  }
  log(`  cold ${sec(cold.ms)} (${mib(cold.selfMiB)}), warm ${warm.map(sec).join(", ")}`);
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  return { services, cold, warm };
}

/** The --noop sizes: no-op plan and build of each, with the --compare dray alongside. */
async function noopGrowth() {
  const drays = [{ label: compareBin ? "after" : "dray", bin: drayBin }];
  if (compareBin) drays.push({ label: "before", bin: compareBin });
  const fleetsDir = args.fleets ? resolve(args.fleets) : join(work, "fleets");
  const sizes = args.noop.split(",").map((n) => Number(n.trim()));
  log(`no-op plan and build of ${sizes.join(", ")} services (fleets in ${fleetsDir})`);
  const rows = await measureNoopGrowth({
    drays,
    sizes,
    buildMax: args["noop-build-max"],
    repeat: args.repeat,
    packages: args.packages,
    fleetsDir,
    env: args.fleets ? drayEnvironment(fleetsDir) : env,
    timeoutMs,
    check,
    log,
  });
  return { drays, rows };
}

try {
  const machine = describeMachine();
  log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}; work dir ${work}`,
  );
  const noop = args.noop ? await noopGrowth() : undefined;
  const build = args.services > 0 ? await coldBuild(args.services) : undefined;
  const plan = args.plan > 0 ? await plans(args.plan) : undefined;
  const lines = [
    `## Scale: ${[
      args.services > 0 ? `memory of a cold build of ${args.services}` : "",
      args.plan > 0 ? `\`dray plan\` of ${args.plan}` : "",
      args.noop ? `no-op plan and build of ${args.noop}` : "",
    ]
      .filter(Boolean)
      .join(", ")} (bench/scale.mjs)`,
    "",
    `Machine: ${formatMachine(machine)}`,
    "",
    `Fleet: \`bench/gen-fleet.mjs\`, ${args.packages} packages, linux/amd64. Memory is the peak resident set: of dray's own process (VmHWM, sampled every 50 ms), and, from \`/usr/bin/time\`, of the largest process in the run (dray, or \`go build\`'s compiler or linker).`,
    "",
  ];
  const rows = [];
  if (build) {
    rows.push([
      `cold \`dray build\`, ${build.services} services`,
      sec(build.ms),
      mib(build.selfMiB),
      mib(build.treeMiB),
      `empty Go cache, no .dray; ${build.gb.toFixed(2)} GB of images`,
    ]);
  }
  if (plan) {
    rows.push([
      `first \`dray plan\`, ${plan.services} services`,
      sec(plan.cold.ms),
      mib(plan.cold.selfMiB),
      mib(plan.cold.treeMiB),
      "nothing listed or hashed yet (go list of every main package)",
    ]);
    rows.push([
      `\`dray plan\` again, ${plan.services} services`,
      `${sec(median(plan.warm))} (median)`,
      "-",
      "-",
      `runs: ${plan.warm.map(sec).join(", ")}; every service new (no build)`,
    ]);
  }
  if (rows.length > 0)
    lines.push(
      markdownTable(["measurement", "wall time", "dray peak RSS", "largest process", "notes"], rows),
    );
  if (noop) {
    const table = noopGrowthTable(noop.rows, noop.drays);
    lines.push(
      "",
      `### How no-op \`dray plan\` and \`dray build\` grow with the fleet`,
      "",
      `Medians of ${args.repeat} wall times (spawn to exit, min–max in brackets) and of their CPU time (user + system); a no-op build of each size follows one cold build (not timed); sizes above ${args["noop-build-max"]} are planned only.${noop.drays.length > 1 ? ` \`${noop.drays[1].label}\` is ${noop.drays[1].bin}, run alternately with \`${noop.drays[0].label}\` on a hard-linked copy of each fleet.` : ""}`,
      "",
      markdownTable(table.header, table.rows),
    );
  }
  lines.push("", `Load average at the end: ${loadavg()[0].toFixed(1)} (at start: ${machine.load}).`, "");
  lines.push("### Checks", "", ...checkList(checks));
  const markdown = lines.join("\n");
  console.log(markdown);
  if (!args["no-results"]) {
    writeSection(
      join(repo, "bench", "RESULTS.md"),
      `scale services=${args.services} plan=${args.plan}${args.noop ? ` noop=${args.noop}` : ""}`,
      markdown,
    );
    log("updated bench/RESULTS.md");
  }
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
