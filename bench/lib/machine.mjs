// Describes the machine a benchmark ran on, so numbers in RESULTS.md can be compared fairly.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg, release, totalmem, type } from "node:os";

function cpuModel() {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    return line ? line.split(":")[1].trim() : "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

function goVersion() {
  try {
    return execFileSync("go", ["version"], {
      encoding: "utf8",
      env: { ...process.env, GOTOOLCHAIN: "local" },
    }).trim();
  } catch {
    return "go: not found";
  }
}

/** Plain facts about this machine and toolchain; call it before measuring, for the load average. */
export function describeMachine() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `${type()} ${release()}`,
    go: goVersion(),
    node: process.version,
    // Other work on the machine skews timings; a high load here explains noisy runs.
    load: loadavg()[0].toFixed(1),
    date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  };
}

/** One markdown line for a results section. */
export function formatMachine(m) {
  return (
    `${m.date} · ${m.cpus} × ${m.cpuModel} · ${m.memoryGiB} GiB RAM · ${m.kernel} · ` +
    `${m.go.replace(/^go version /, "")} · node ${m.node} · load ${m.load} at start`
  );
}
