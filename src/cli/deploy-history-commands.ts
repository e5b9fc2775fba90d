/** The commands about the versions a target keeps: `dray history` and `dray rollback` (each imported lazily). */
import type { Command } from "commander";

/** Registers `dray history` and `dray rollback` on `cli`. */
export function addDeployHistoryCommands(cli: Command): void {
  cli
    .command("history")
    .description("list the versions of a service the target keeps (current and previous); changes nothing")
    .argument("<service>", "the service")
    .option("-t, --target <name>", "target from dray.yaml (default: the first, or the local engine)")
    .option("--json", "print the result as JSON")
    .action(async (service: string, opts, cmd: Command) => {
      const { runHistory } = await import("./commands/history.js");
      process.exitCode = await runHistory(service, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("rollback")
    .description(
      "put back the previous version of services (default: every one that keeps one), health-checked",
    )
    .argument("[service...]", "services to roll back")
    .option("-t, --target <name>", "target from dray.yaml (default: the first, or the local engine)")
    .option("--lock-wait <duration>", 'wait this long (e.g. "5m") for a deploy to the target to finish')
    .option("--json", "print the result as JSON")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runRollback } = await import("./commands/rollback.js");
      process.exitCode = await runRollback(services, { ...cmd.optsWithGlobals(), ...opts });
    });
}
