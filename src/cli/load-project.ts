/** Loading the project's dray.yaml the way every command does: from `--dir`, or the `--config` file. */
import { loadConfig, type ResolvedConfig } from "../config/index.js";
import type { Tracer } from "../report/index.js";
import type { GlobalOptions } from "./global-options.js";

/** The resolved config for the command's flags; timed as "load config" when a tracer is given. */
export function loadProjectConfig(flags: GlobalOptions, tracer?: Tracer): Promise<ResolvedConfig> {
  const load = () =>
    loadConfig({ cwd: flags.dir, ...(flags.config ? { file: flags.config } : {}), env: process.env });
  return tracer ? tracer.span("load config", load) : load();
}
