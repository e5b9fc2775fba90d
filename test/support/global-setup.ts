/**
 * Starts Docker's engine for the integration tests when it is not running, and stops it
 * afterwards if this run started it. Tests that need the engine fail (never skip) without it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";

let startedHere = false;

function enginePid(): number | undefined {
  const out = spawnSync("pidof", ["dockerd"], { encoding: "utf8" });
  return out.status === 0 ? Number(out.stdout.trim().split(/\s+/)[0]) : undefined;
}

export function setup(): void {
  const before = enginePid();
  const script = path.resolve(import.meta.dirname, "../../scripts/start-engine.sh");
  const result = spawnSync("bash", [script], { encoding: "utf8" });
  if (result.status !== 0) {
    // The tests that need the engine will fail with this reason; the unit tests still run.
    process.env["DRAY_TEST_ENGINE_ERROR"] =
      `${result.stderr}${result.stdout}`.trim() || "start-engine.sh failed";
    return;
  }
  startedHere = before === undefined;
}

export function teardown(): void {
  if (!startedHere) return;
  const pid = enginePid();
  if (pid) {
    try {
      execFileSync("kill", [String(pid)]);
    } catch {
      // already gone
    }
  }
}
