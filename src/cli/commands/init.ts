/** `dray init`: write a commented dray.yaml for the Go main packages found under the directory. */
import path from "node:path";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { initProject } from "../../workspace/index.js";
import type { GlobalOptions } from "../global-options.js";
import { runReported } from "../run-reported.js";

interface InitFlags extends GlobalOptions {
  force?: boolean;
  project?: string;
}

/** Run `dray init`. */
export function runInit(flags: InitFlags): Promise<ExitCodeValue> {
  return runReported("init", flags, (tracer) => init(flags, tracer), { summaryOnRequest: true });
}

async function init(flags: InitFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const result = await tracer.span("discover and write", () =>
    initProject({
      root: path.resolve(flags.dir),
      ...(flags.force ? { force: true } : {}),
      ...(flags.project ? { project: flags.project } : {}),
    }),
  );
  const where = path.relative(process.cwd(), result.file) || result.file;
  process.stdout.write(
    `wrote ${where} with ${result.services.length} service${result.services.length === 1 ? "" : "s"}: ${result.services.join(", ")}\n` +
      "next: review it, then run `dray build`\n",
  );
  return ExitCode.ok;
}
