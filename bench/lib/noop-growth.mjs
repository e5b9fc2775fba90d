// How a no-op `dray plan` and `dray build` grow with the fleet: for each size, the fleet is generated
// (and, up to `buildMax`, cold-built once) in `fleetsDir`, then both commands are timed `repeat`
// times. With a second dray (`compare`, e.g. the last release), each run of one is followed by a run
// of the other on a hard-linked copy of the same fleet, so both see the same machine load and
// neither reads the other's caches.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planFleet, writeFleet } from "./fleet.mjs";
import { runDrayJson } from "./harness.mjs";
import { GNU_TIME } from "./peak-rss.mjs";
import { median } from "./results.mjs";
import { runTimed } from "./run.mjs";

/**
 * `dray argv…` timed twice over: wall (spawn to exit) and CPU (user + system, from /usr/bin/time),
 * which a loaded, shared machine inflates far less than the wall time.
 */
async function runDrayTimed(bin, argv, { cwd, env, timeoutMs }) {
  const scratch = mkdtempSync(join(tmpdir(), "dray-bench-cpu-"));
  const report = join(scratch, "time.txt");
  try {
    const { ms, stdout } = await runTimed(
      GNU_TIME,
      ["-f", "%U %S", "-o", report, process.execPath, bin, ...argv],
      {
        cwd,
        env,
        timeoutMs,
      },
    );
    const [user, system] = readFileSync(report, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
    return { ms, cpuMs: (user + system) * 1000, json: JSON.parse(stdout) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The fleet of `services` in `fleetsDir`, written if missing; for `compare`, a hard-linked copy. */
function fleetDir(fleetsDir, services, packages, copy) {
  const dir = join(fleetsDir, `fleet-${services}`);
  if (!existsSync(dir)) writeFleet(dir, planFleet({ services, packages, big: 0 }));
  if (!copy) return dir;
  const twin = `${dir}-compare`;
  // Blobs and sources are only read by a no-op; files dray rewrites are replaced by rename.
  if (!existsSync(twin)) execFileSync("cp", ["-al", dir, twin]);
  return twin;
}

/**
 * Measures every size in `sizes`. `drays` is [{ label, bin }], the first the one under test.
 * Returns rows { services, built, results: { label → { plan: ms[], build: ms[] } } }.
 */
export async function measureNoopGrowth({
  drays,
  sizes,
  buildMax,
  repeat,
  packages,
  fleetsDir,
  env,
  timeoutMs,
  check,
  log,
}) {
  const rows = [];
  for (const services of sizes) {
    const built = services <= buildMax;
    const dirs = [];
    const results = Object.fromEntries(
      drays.map((d) => [d.label, { plan: [], build: [], planCpu: [], buildCpu: [] }]),
    );
    // Warm up each copy: the first run lists every main package. The fleet is built (once, by the
    // dray under test) before the copy for the other is linked from it.
    for (const [i, dray] of drays.entries()) {
      dirs.push(fleetDir(fleetsDir, services, packages, i > 0));
      if (built && !existsSync(join(dirs[i], ".dray", "cache", "last.json"))) {
        log(`${dray.label}: cold build of ${services} services in ${dirs[i]} (minutes)`);
        await runDrayJson(dray.bin, ["build", "--json"], { cwd: dirs[i], env, timeoutMs });
      }
      await runDrayJson(dray.bin, ["plan", "--json"], { cwd: dirs[i], env, timeoutMs });
      if (built) await runDrayJson(dray.bin, ["build", "--json"], { cwd: dirs[i], env, timeoutMs });
    }
    for (let r = 0; r < repeat; r++) {
      for (const [i, dray] of drays.entries()) {
        const plan = await runDrayTimed(dray.bin, ["plan", "--json"], { cwd: dirs[i], env, timeoutMs });
        results[dray.label].plan.push(plan.ms);
        results[dray.label].planCpu.push(plan.cpuMs);
        if (r === 0) {
          const listed = plan.json.services.length;
          const expected = built ? "unchanged" : "new";
          const same = plan.json.services.filter((s) => s.status === expected).length;
          check(
            `${dray.label}, ${services} services: no-op \`dray plan\` lists all ${expected}`,
            same === services,
            `${same} of ${listed}`,
          );
        }
        if (!built) continue;
        const build = await runDrayTimed(dray.bin, ["build", "--json"], { cwd: dirs[i], env, timeoutMs });
        results[dray.label].build.push(build.ms);
        results[dray.label].buildCpu.push(build.cpuMs);
        if (r === 0) {
          const cached = build.json.services.filter((s) => s.cached && s.change === "unchanged").length;
          check(
            `${dray.label}, ${services} services: no-op \`dray build\` finds all cached and unchanged`,
            cached === services,
            `${cached}`,
          );
        }
      }
    }
    for (const dray of drays) {
      const { plan, build } = results[dray.label];
      log(
        `  ${services} ${dray.label}: plan ${ms(median(plan))}${built ? `, build ${ms(median(build))}` : ""}`,
      );
    }
    rows.push({ services, built, results });
  }
  return rows;
}

const ms = (n) => `${(n / 1000).toFixed(2)} s`;

/** The markdown table of `rows`: medians (with range) per dray, and per-service costs of the one under test. */
export function noopGrowthTable(rows, drays) {
  const header = ["services"];
  for (const d of drays) header.push(`no-op plan, ${d.label}`, `no-op build, ${d.label}`);
  header.push(
    `plan per service (${drays[0].label})`,
    `build per service (${drays[0].label})`,
    "per added service (plan / build)",
  );
  const fmt = (values, cpu) =>
    values.length === 0
      ? "-"
      : `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))}); CPU ${ms(median(cpu))}`;
  const out = [];
  let previous;
  for (const row of rows) {
    const cells = [String(row.services)];
    for (const d of drays) {
      const r = row.results[d.label];
      cells.push(fmt(r.plan, r.planCpu), row.built ? fmt(r.build, r.buildCpu) : "not built");
    }
    const own = row.results[drays[0].label];
    const plan = median(own.plan);
    const build = row.built ? median(own.build) : undefined;
    cells.push(
      `${(plan / row.services).toFixed(2)} ms`,
      build === undefined ? "-" : `${(build / row.services).toFixed(2)} ms`,
    );
    if (previous) {
      const n = row.services - previous.services;
      const dPlan = ((plan - previous.plan) / n).toFixed(2);
      const dBuild =
        build !== undefined && previous.build !== undefined ? ((build - previous.build) / n).toFixed(2) : "-";
      cells.push(`${dPlan} / ${dBuild} ms`);
    } else cells.push("-");
    previous = { services: row.services, plan, build };
    out.push(cells);
  }
  return { header, rows: out };
}
