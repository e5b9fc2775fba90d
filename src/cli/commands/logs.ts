/**
 * `dray logs [service…]`: the services' output on a target, each line after an aligned
 * `service |` prefix (`service.N |` for one of several replicas): docker containers, swarm
 * services, Kubernetes pods. Without `-f` it prints what there is and exits; with it, it follows
 * until Ctrl-C (exit 130) or until every stream ends.
 */
import { selectServices } from "../../config/index.js";
import type { LogRequest, ServiceLog } from "../../deploy/index.js";
import { ExitCode, type ExitCodeValue, renderError, UserError } from "../../errors/index.js";
import { outputStyle } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { loadProjectConfig } from "../load-project.js";
import { logPrefixes } from "../log-prefix.js";
import { parseSince } from "../since.js";

interface LogsFlags extends GlobalOptions {
  target?: string;
  follow?: boolean;
  since?: string;
}

export async function runLogs(names: readonly string[], flags: LogsFlags): Promise<ExitCodeValue> {
  const config = await loadProjectConfig(flags);
  const since = flags.since === undefined ? undefined : parseSince(flags.since, Date.now());
  const { chooseTarget, openLogReader, runnable } = await import("../../deploy/index.js");
  const target = chooseTarget(config, flags.target);
  const selected = selectServices(config, names);
  const filesOnly = selected.filter((s) => !runnable(s)).map((s) => s.name);
  if (names.length > 0 && filesOnly.length > 0)
    throw new UserError(
      `${filesOnly.join(", ")}: the image has no entrypoint, so it never runs and has no log`,
      {
        exitCode: ExitCode.usage,
      },
    );
  const services = selected.filter(runnable).map((s) => s.name);
  const errStyle = outputStyle(process.stderr, process.env);

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on("SIGINT", onSigint);
  const reader = await openLogReader(config, target, process.env);
  try {
    const request: LogRequest = { follow: flags.follow ?? false, since, signal: controller.signal };
    const opened = await Promise.all(services.map((service) => reader.open(service, request)));
    const logs = opened.filter((log): log is ServiceLog => log !== undefined);
    const missing = services.filter((_, i) => opened[i] === undefined);
    for (const service of missing)
      process.stderr.write(
        `${service}: not on target ${target.name} (${target.kind}) — \`dray deploy ${service}\` runs it there\n`,
      );
    if (logs.length === 0)
      throw new UserError(
        `no log to show: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not on target ${target.name}`,
        {
          hint: `Deploy first: dray deploy${flags.target ? ` --target ${flags.target}` : ""}`,
        },
      );
    const prefix = logPrefixes(
      logs.flatMap((log) => log.sources),
      outputStyle(process.stdout, process.env),
    );
    let failed = false;
    await Promise.all(
      logs.map((log) =>
        log
          .read((record) => process.stdout.write(`${prefix(record.source)} ${record.text}\n`))
          .catch((error: unknown) => {
            failed = true;
            process.stderr.write(`${log.service}: ${renderError(error, errStyle).text}\n`);
          }),
      ),
    );
    if (controller.signal.aborted) return ExitCode.interrupted;
    return failed || missing.length > 0 ? ExitCode.failed : ExitCode.ok;
  } finally {
    process.off("SIGINT", onSigint);
    reader.close();
  }
}
