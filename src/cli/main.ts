/**
 * The `dray` command. Deliberately thin: it parses flags and lazily imports the one command
 * that runs, so `dray --help` and no-op runs do not pay for code they do not use.
 * This is the only place that sets the process's exit code.
 */
import { Command, CommanderError, Option } from "commander";
import { ExitCode } from "../errors.js";
import { outputStyle } from "../report/style.js";
import { renderError } from "./render-error.js";

/** Flags every command accepts. */
export interface GlobalOptions {
  /** Directory to start looking for dray.yaml from. */
  dir: string;
  config?: string;
}

function program(): Command {
  const cli = new Command("dray")
    .description(
      "Reproducible OCI images for monorepos of services — build, publish and deploy only what changed.",
    )
    .version(VERSION, "-V, --version")
    .option("-C, --dir <dir>", "run as if started in <dir>", process.cwd())
    .option("-c, --config <file>", "path to dray.yaml (default: found by walking up from --dir)")
    .showHelpAfterError("(run `dray --help` for usage)")
    .exitOverride();

  cli
    .command("build")
    .description("build services into reproducible OCI images in .dray/oci")
    .argument("[service...]", "services to build (default: all)")
    .option("--json", "print the result as JSON")
    .addOption(new Option("-j, --jobs <n>", "compiles to run at once").argParser(positiveInt))
    .option("--layout <dir>", "OCI image layout to write (default: .dray/oci)")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runBuild } = await import("./commands/build.js");
      process.exitCode = await runBuild(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("verify")
    .description(
      "rebuild in a fresh copy with another path, clock, umask, TZ, locale and empty Go cache; compare digests",
    )
    .argument("[service...]", "services to verify (default: all)")
    .option("--json", "print the result as JSON")
    .option("--keep", "keep the temporary copy for inspection")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runVerify } = await import("./commands/verify.js");
      process.exitCode = await runVerify(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("init")
    .description("discover Go main packages and write a commented dray.yaml")
    .option("-f, --force", "overwrite an existing dray.yaml")
    .option("--project <name>", "project name (default: the directory name)")
    .action(async (opts, cmd: Command) => {
      const { runInit } = await import("./commands/init.js");
      process.exitCode = await runInit({ ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("schema")
    .description("print the JSON Schema of dray.yaml (for editors)")
    .action(async () => {
      const { configJsonSchema } = await import("../config/json-schema.js");
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });

  return cli;
}

const VERSION = "0.1.0";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(2, "dray.invalidArgument", `not a positive integer: ${value}`);
  return n;
}

/** Run the CLI with `argv` (without node and script); sets process.exitCode. */
export async function main(argv: readonly string[]): Promise<void> {
  const cli = program();
  try {
    await cli.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful exits; anything else is a usage error, already printed.
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      return;
    }
    const { text, exitCode } = renderError(error, outputStyle(process.stderr, process.env));
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
}
