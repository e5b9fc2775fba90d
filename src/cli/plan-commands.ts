/** `dray plan` and `dray why`: what changed since a baseline, for people and for CI systems. */
import { type Command, Option } from "commander";

/** Adds `plan` and `why` to the CLI; each lazily imports its command when it runs. */
export function addPlanCommands(cli: Command): void {
  cli
    .command("plan")
    .description("show which services changed since the last build (or a git revision), and why")
    .argument("[service...]", "services to plan (default: all)")
    .option("--since <rev>", "compare with the project as of a git revision instead of the last build")
    .option("--build", "build what changed first, so that rebuilt-but-identical images are recognised")
    .addOption(new Option("--json", "print the plan as JSON (the same as --format json)").conflicts("format"))
    .addOption(
      new Option(
        "--format <format>",
        "table; json; github: step outputs to $GITHUB_OUTPUT and a summary to $GITHUB_STEP_SUMMARY; gitlab: a dotenv report",
      ).choices(["table", "json", "github", "gitlab"]),
    )
    .option(
      "-o, --output <file>",
      "write the plan (table, json or gitlab) to <file> instead of standard output",
    )
    .option("--exit-code", "exit 10 when a service changed (new, changed or removed), 0 when none did")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runPlan } = await import("./commands/plan.js");
      process.exitCode = await runPlan(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("why")
    .description("explain in full why a service changed: files, packages, modules and settings")
    .argument("<service>", "the service to explain")
    .option("--since <rev>", "compare with the project as of a git revision instead of the last build")
    .option("--json", "print the explanation as JSON")
    .action(async (service: string, opts, cmd: Command) => {
      const { runWhy } = await import("./commands/plan.js");
      process.exitCode = await runWhy(service, { ...cmd.optsWithGlobals(), ...opts });
    });
}
