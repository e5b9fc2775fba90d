/** The commands that move images between environments (imported lazily). */
import type { Command } from "commander";

/** Registers `dray promote` on `cli`. */
export function addEnvironmentCommands(cli: Command): void {
  cli
    .command("promote")
    .description("deploy to one target exactly the images another runs, by digest, without building")
    .argument("[service...]", "services to promote (default: all)")
    .requiredOption("--from <target>", "the target whose running images are promoted")
    .requiredOption("--to <target>", "the target they are deployed to")
    .option("--dry-run", "check and print the plan; copy and change nothing")
    .option("--lock-wait <duration>", 'wait this long (e.g. "5m") for another deploy to the target to finish')
    .option("--json", "print the result as JSON")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runPromote } = await import("./commands/promote.js");
      process.exitCode = await runPromote(services, { ...cmd.optsWithGlobals(), ...opts });
    });
}
