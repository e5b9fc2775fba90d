/** `dray graph`: which project packages are shared by how many services — where a change redeploys the most. */
import { ExitCode, type ExitCodeValue, UserError } from "../../errors/index.js";
import { loadGoGraph } from "../../fingerprint/index.js";
import {
  blastRadius,
  mainPackages,
  moduleRadius,
  renderGraphDot,
  renderGraphJson,
  renderGraphText,
} from "../../graph/index.js";
import { compareCodeUnits, PLATFORMS, type PlatformName, parsePlatform } from "../../oci/index.js";
import type { Tracer } from "../../report/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { runReported } from "../run-reported.js";

interface GraphFlags extends GlobalOptions {
  json?: boolean;
  dot?: boolean;
  platform?: string;
}

/** Run `dray graph`. The summary of a graph run is one `go list`: printed only on request. */
export function runGraph(flags: GraphFlags): Promise<ExitCodeValue> {
  return runReported("graph", flags, (tracer) => graph(flags, tracer), { summaryOnRequest: true });
}

async function graph(flags: GraphFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const style = outputStyle(process.stdout, process.env);
  const platform = flags.platform === undefined ? undefined : checkPlatform(flags.platform);
  const config = await loadProjectConfig(flags, tracer);
  const graph = await tracer.span("load package graph", () =>
    loadGoGraph(config, { env: process.env, tracer, ...(platform ? { platform } : {}) }),
  );
  const packageDirs = new Map(config.services.flatMap((s) => (s.kind === "go" ? [[s.name, s.package]] : [])));
  const packages = blastRadius(graph, mainPackages(graph, packageDirs));
  if (flags.dot) {
    process.stdout.write(`${renderGraphDot(graph, packages)}\n`);
  } else if (flags.json) {
    const report = {
      platform: flags.platform ?? null,
      services: [...graph.closures.keys()].sort(compareCodeUnits),
      packages,
      modules: moduleRadius(graph),
    };
    process.stdout.write(`${renderGraphJson(report)}\n`);
  } else if (graph.closures.size === 0) {
    process.stdout.write("no Go services in this project: nothing to graph\n");
  } else {
    process.stdout.write(`${renderGraphText(packages, graph.closures.size, style, moduleRadius(graph))}\n`);
  }
  return ExitCode.ok;
}

function checkPlatform(name: string): ReturnType<typeof parsePlatform> {
  if (!(PLATFORMS as readonly string[]).includes(name)) {
    throw new UserError(`unknown platform: ${name}`, {
      exitCode: ExitCode.usage,
      hint: `use one of ${PLATFORMS.join(", ")}`,
    });
  }
  return parsePlatform(name as PlatformName);
}
