// What every benchmark script does around its measurements: clean up when interrupted, keep its
// checks, give dray an environment of the run's own, and run dray for its JSON.
import { join } from "node:path";
import { since } from "./plain-path.mjs";
import { runTimed } from "./run.mjs";

/** On SIGINT, SIGTERM or SIGHUP: say so, clean up, exit 130. */
export function cleanUpOnSignals(cleanUp, log) {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      log(`\n${signal}: stopping and cleaning up`);
      cleanUp();
      process.exit(130);
    });
  }
}

/** The run's checks: `check` logs ok/FAILED at once and keeps the result for the report. */
export function createChecks(log) {
  const checks = [];
  function check(label, ok, detail = "") {
    checks.push({ label, ok, detail });
    log(`  ${ok ? "ok" : "FAILED"}: ${label}${detail ? ` — ${detail}` : ""}`);
  }
  return { checks, check };
}

/**
 * dray's environment for a run in `work`: a Go cache (default `work`/go-cache) and dray caches of
 * the run's own, the local Go toolchain, and plain output (CI, no colour).
 */
export function drayEnvironment(work, goCache = join(work, "go-cache")) {
  return {
    ...process.env,
    GOCACHE: goCache,
    XDG_CACHE_HOME: join(work, "xdg"),
    GOFLAGS: "",
    GOTOOLCHAIN: "local",
    CI: "true",
    NO_COLOR: "1",
  };
}

/** Runs `dray argv…` in `cwd`; resolves to the wall time (spawn to exit, hrtime) and the parsed JSON. */
export async function runDrayJson(drayBin, argv, { cwd, env, timeoutMs }) {
  const start = process.hrtime.bigint();
  const { stdout } = await runTimed(process.execPath, [drayBin, ...argv], { cwd, env, timeoutMs });
  const ms = since(start);
  try {
    return { ms, json: JSON.parse(stdout) };
  } catch {
    throw new Error(`dray ${argv.join(" ")} printed no JSON:\n${stdout.slice(0, 2000)}`);
  }
}
