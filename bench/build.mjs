#!/usr/bin/env node
// Build benchmark: plain `go build` of every service next to `dray build`, in one run, on one
// generated fleet, so the two are measured on the same machine under the same conditions.
// Each repetition interleaves the measurements (go cold, go warm, dray cold, dray warm, dray
// repack) so that background noise hits all of them alike; medians go to bench/RESULTS.md.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./lib/args.mjs";
import { formatReport } from "./lib/build-report.mjs";
import { summarizeDrayRun } from "./lib/dray-json.mjs";
import { planFleet, serviceName, writeFleet } from "./lib/fleet.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { writeSection } from "./lib/results.mjs";
import { forEachLimited, runTimed, stopAll } from "./lib/run.mjs";

const usage = `usage: node bench/build.mjs [--services 100] [--packages 10] [--repeat 3]
  [--plain both|single|each] [--jobs N] [--only-plain] [--dray PATH] [--timeout SECONDS]
  [--keep] [--no-results]
  --plain single  one \`go build -o bin/ ./services/...\`: Go schedules all compiles and links
  --plain each    one \`go build\` per service, --jobs at a time, like per-service Dockerfiles (default jobs: CPUs)
  --plain both    measure both (default)
  --dray PATH     the dray entry to run (default: bin/dray.js of this checkout)`;
const args = parseArgs(
  process.argv.slice(2),
  {
    services: 100,
    packages: 10,
    repeat: 3,
    plain: "both",
    jobs: availableParallelism(),
    "only-plain": false,
    dray: "",
    timeout: 1800,
    keep: false,
    "no-results": false,
  },
  usage,
);
if (!["both", "single", "each"].includes(args.plain) || args.repeat < 1 || args.services < 1) {
  console.error(`error: bad --plain, --repeat or --services\n${usage}`);
  process.exit(2);
}

const repo = fileURLToPath(new URL("..", import.meta.url));
const drayBin = args.dray ? resolve(args.dray) : join(repo, "bin", "dray.js");
if (!args["only-plain"] && !existsSync(drayBin)) {
  console.error(`error: ${drayBin} does not exist; build dray first, pass --dray PATH or --only-plain`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "dray-bench-"));
const fleet = join(work, "fleet");
const names = Array.from({ length: args.services }, (_, i) => serviceName(i));
const timeoutMs = args.timeout * 1000;
const plainModes = args.plain === "both" ? ["single", "each"] : [args.plain];

function cleanUp() {
  if (args.keep) console.error(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    stopAll();
    cleanUp();
    process.exit(130);
  });
}

/** The same reproducibility flags dray passes, so both paths compile the same binaries. */
const GO_FLAGS = ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid="];

function goEnv(cache) {
  return {
    ...process.env,
    GOCACHE: cache,
    CGO_ENABLED: "0",
    GOOS: "linux",
    GOARCH: "amd64",
    GOAMD64: "v1",
    GOFLAGS: "",
    GOTOOLCHAIN: "local",
  };
}

/** Plain path: compiles every service into a fresh bin/ and returns the wall time in ms. */
async function goBuild(mode, cache) {
  const bin = join(work, "bin");
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin);
  const options = { cwd: fleet, env: goEnv(cache), timeoutMs };
  const start = performance.now();
  if (mode === "single") {
    await runTimed("go", [...GO_FLAGS, "-o", `${bin}/`, "./services/..."], options);
  } else {
    await forEachLimited(names, args.jobs, (name) =>
      runTimed("go", [...GO_FLAGS, "-o", join(bin, name), `./services/${name}`], options),
    );
  }
  const ms = performance.now() - start;
  const built = readdirSync(bin).length;
  if (built !== names.length) throw new Error(`go build wrote ${built} binaries, expected ${names.length}`);
  return { ms };
}

/** dray path: `dray build --json` in the fleet; caches live under `cache` so cold means cold. */
async function drayBuild(cache) {
  const env = {
    ...process.env,
    GOCACHE: join(cache, "go"),
    // In case dray keeps a user-level cache: a fresh one per cold run.
    XDG_CACHE_HOME: join(cache, "xdg"),
    CI: "true",
    NO_COLOR: "1",
  };
  const { ms, stdout } = await runTimed(process.execPath, [drayBin, "build", "--json"], {
    cwd: fleet,
    env,
    timeoutMs,
  });
  const summary = summarizeDrayRun(stdout);
  if (summary.failed.length > 0) throw new Error(`dray build failed:\n${summary.failed.join("\n")}`);
  if (summary.services !== names.length) {
    throw new Error(
      `dray reported ${summary.services} services, expected ${names.length}; ` +
        "if its --json format changed, adapt bench/lib/dray-json.mjs",
    );
  }
  return { ms, ...summary };
}

/** One repetition of every measurement, each with the caches its name promises. */
async function repetition(samples) {
  const goCache = join(work, "go-cache");
  for (const mode of plainModes) {
    rmSync(goCache, { recursive: true, force: true });
    samples[mode].cold.push(await goBuild(mode, goCache));
    samples[mode].warm.push(await goBuild(mode, goCache));
  }
  rmSync(goCache, { recursive: true, force: true });
  if (args["only-plain"]) return;

  const drayCache = join(work, "dray-cache");
  rmSync(drayCache, { recursive: true, force: true });
  rmSync(join(fleet, ".dray"), { recursive: true, force: true });
  samples.drayCold.push(await drayBuild(drayCache));
  samples.drayNoop.push(await drayBuild(drayCache));
  // Warm Go cache but no dray cache: compiles are cheap, every image is packed again.
  rmSync(join(fleet, ".dray"), { recursive: true, force: true });
  samples.drayRepack.push(await drayBuild(drayCache));
  rmSync(drayCache, { recursive: true, force: true });
}

const seconds = (sample) => (sample ? `${(sample.ms / 1000).toFixed(1)} s` : "-");

try {
  const machine = describeMachine();
  writeFleet(fleet, planFleet({ services: args.services, packages: args.packages, big: 0 }));
  console.error(`fleet: ${args.services} services, ${args.packages} packages in ${fleet}`);
  const samples = { drayCold: [], drayNoop: [], drayRepack: [] };
  for (const mode of plainModes) samples[mode] = { cold: [], warm: [] };
  for (let r = 1; r <= args.repeat; r++) {
    await repetition(samples);
    const last = (list) => seconds(list.at(-1));
    const parts = plainModes.map(
      (m) => `go ${m} cold ${last(samples[m].cold)} warm ${last(samples[m].warm)}`,
    );
    if (!args["only-plain"]) {
      parts.push(
        `dray cold ${last(samples.drayCold)} warm ${last(samples.drayNoop)} repack ${last(samples.drayRepack)}`,
      );
    }
    console.error(`run ${r}/${args.repeat}: ${parts.join(", ")}`);
  }
  const report = formatReport({ args, machine, samples });
  console.log(report.markdown);
  if (!args["no-results"]) {
    writeSection(join(repo, "bench", "RESULTS.md"), report.key, report.markdown);
    console.error("updated bench/RESULTS.md");
  }
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
