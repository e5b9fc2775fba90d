/** `dray logs`, registered on the program (the command itself is imported only when it runs). */
import type { Command } from "commander";

/** Registers `dray logs` on `cli`. */
export function addLogsCommand(cli: Command): void {
  cli
    .command("logs")
    .description(
      "print the services' logs from a target (docker, swarm, kubernetes), one prefixed stream each",
    )
    .argument("[service...]", "services to show (default: all)")
    .option("-t, --target <name>", "target from dray.yaml (default: the first, or the local engine)")
    .option("-f, --follow", "keep printing new lines until Ctrl-C or until the services' containers are gone")
    .option("--since <when>", 'only lines from then on: how far back ("10m", "1h") or an RFC 3339 time')
    .action(async (services: string[], opts, cmd: Command) => {
      const { runLogs } = await import("./commands/logs.js");
      process.exitCode = await runLogs(services, { ...cmd.optsWithGlobals(), ...opts });
    });
}
