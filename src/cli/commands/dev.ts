/** `dray dev [service…]`: deploy locally, then live-update on every save, with a web dashboard. */
import type { DockerTargetConfig, ResolvedConfig } from "../../config/index.js";
import { chooseTarget } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue, UserError } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { Color, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface DevFlags extends GlobalOptions {
  target?: string;
  dashboardPort?: number;
  /** commander's `--no-dashboard` sets this false. */
  dashboard?: boolean;
  down?: boolean;
}

/** The local engine: the named docker target, else the first docker target, else the default one. */
function devTarget(config: ResolvedConfig, name: string | undefined): DockerTargetConfig {
  const target = name ? chooseTarget(config, name) : config.targets.find((t) => t.kind === "docker");
  if (!target)
    return { name: "local", kind: "docker", host: undefined, network: config.project, bind: "127.0.0.1" };
  if (target.kind !== "docker")
    throw new UserError(
      `dray dev runs services on a docker engine, and target ${target.name} is a ${target.kind} target`,
      {
        exitCode: ExitCode.usage,
        hint: "Name a docker target with --target, or leave it out to use the local engine.",
      },
    );
  return target;
}

/** Run `dray dev`; with `--trace`, the trace of every deploy and update is written when it stops. */
export function runDev(names: readonly string[], flags: DevFlags): Promise<ExitCodeValue> {
  return runReported("dev", flags, (tracer) => dev(names, flags, tracer), { summaryOnRequest: true });
}

async function dev(names: readonly string[], flags: DevFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags, tracer);
  const target = devTarget(config, flags.target);
  const style = outputStyle(process.stderr, process.env);
  const { createDevHub, startDevLoop, attachTerminal, startDashboard } = await import("../../dev/index.js");
  const hub = createDevHub(config.project);
  const notice = (line: string) => process.stderr.write(`${paint(style, Color.dim, line)}\n`);
  let dashboard: { url: string; close(): Promise<void> } | undefined;
  if (flags.dashboard !== false) {
    dashboard = await startDashboard(hub, { ...(flags.dashboardPort ? { port: flags.dashboardPort } : {}) });
    process.stderr.write(`dashboard: ${paint(style, Color.bold, dashboard.url)}\n`);
  }
  const detach = attachTerminal(hub, process.stderr, style);
  let loop: Awaited<ReturnType<typeof startDevLoop>>;
  try {
    loop = await startDevLoop({
      config,
      target,
      only: names,
      env: process.env,
      hub,
      notice,
      // Spans pile up over a long session: kept only when someone will read them.
      ...(flags.trace ? { tracer } : {}),
    });
  } catch (error) {
    // Nothing may keep the process alive after a failed start: the error is the last word.
    detach();
    await dashboard?.close();
    throw error;
  }
  process.stderr.write(
    `watching ${config.root} — save a file to update its services; Ctrl-C stops watching${flags.down ? " and removes the services" : " and leaves them running"}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  detach();
  await loop.stop({ down: flags.down ?? false });
  await dashboard?.close();
  process.stderr.write(
    flags.down
      ? "stopped; services removed\n"
      : "stopped watching; the services keep running (dray dev --down removes them on exit)\n",
  );
  return ExitCode.ok;
}
