/**
 * The `dray` command. Deliberately thin: it parses flags and lazily imports the one command
 * that runs, so `dray --help` and no-op runs do not pay for code they do not use.
 * This is the only place that sets the process's exit code.
 */
import { Command, CommanderError, Option } from "commander";
import { ExitCode, renderError } from "../errors/index.js";
import { DRAY_VERSION } from "../io/index.js";
import { outputStyle } from "../terminal/index.js";
import { addDeployHistoryCommands } from "./deploy-history-commands.js";
import { addEnvironmentCommands } from "./environment-commands.js";
import { addLogsCommand } from "./logs-command.js";
import { portNumber, positiveInteger, shardSpec } from "./option-values.js";
import { addPlanCommands } from "./plan-commands.js";
import { addSupplyChainCommands } from "./supply-chain-commands.js";

function program(): Command {
  const cli = new Command("dray")
    .description(
      "Reproducible OCI images for monorepos of services — build, publish and deploy only what changed.",
    )
    .version(DRAY_VERSION, "-V, --version")
    .option("-C, --dir <dir>", "run as if started in <dir>", process.cwd())
    .option("-c, --config <file>", "path to dray.yaml (default: found by walking up from --dir)")
    .option("--trace <file>", "write a Chrome trace of every step to <file> (open in ui.perfetto.dev)")
    .option("--summary", "print where the time went, even when output is piped")
    .option("--no-summary", "never print where the time went")
    .showHelpAfterError("(run `dray --help` for usage)")
    .exitOverride();

  cli
    .command("build")
    .description("build services into reproducible OCI images in .dray/oci")
    .argument("[service...]", "services to build (default: all)")
    .option("--json", "print the result as JSON")
    .addOption(new Option("-j, --jobs <n>", "compiles to run at once").argParser(positiveInteger))
    .option("--layout <dir>", "OCI image layout to write (default: .dray/oci)")
    .option("--no-cache", "build every selected service even when its input key is cached")
    .option("--push", "push the images to the registry in dray.yaml, sending only missing blobs")
    .option("--tag <tag...>", "tags to push under (default: latest)")
    .option("--sign-key <file>", "with --push: sign the images, SBOMs and provenance with this key")
    .addOption(
      new Option(
        "--shard <i/n>",
        "build only shard I of N of what needs building (one CI runner each)",
      ).argParser(shardSpec),
    )
    .action(async (services: string[], opts, cmd: Command) => {
      const { runBuild } = await import("./commands/build.js");
      process.exitCode = await runBuild(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("push")
    .description("build (from cache where possible) and push to the registry, sending only missing blobs")
    .argument("[service...]", "services to push (default: all)")
    .option("--json", "print the result as JSON")
    .option("--tag <tag...>", "tags to push under (default: latest)")
    .option("--sign-key <file>", "sign the images, SBOMs and provenance with this key (PEM or cosign's)")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runBuild } = await import("./commands/build.js");
      process.exitCode = await runBuild(services, { ...cmd.optsWithGlobals(), ...opts, push: true });
    });

  cli
    .command("deploy")
    .description("build, publish and change only the services whose image or settings differ on the target")
    .argument("[service...]", "services to deploy (default: all)")
    .option("-t, --target <name>", "target from dray.yaml (default: the first, or the local engine)")
    .option("--dry-run", "print the plan and change nothing")
    .option("--prune", "remove services that are no longer in dray.yaml")
    .option("--lock-wait <duration>", 'wait this long (e.g. "5m") for another deploy to the target to finish')
    .option("--keep-failed", "leave a failed first version in place for inspection (kubernetes)")
    .option("--json", "print the result as JSON")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runDeploy } = await import("./commands/deploy.js");
      process.exitCode = await runDeploy(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("status")
    .description(
      "show what runs on the target, its commit, since when, drift, and whether this checkout would change it",
    )
    .argument("[service...]", "services to show (default: all)")
    .option("-t, --target <name>", "target from dray.yaml (default: the first, or the local engine)")
    .option("--json", "print the result as JSON")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runStatus } = await import("./commands/status.js");
      process.exitCode = await runStatus(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("rbac")
    .description("print the Role and RoleBinding a deploy to a kubernetes target needs (for kubectl apply)")
    .option("-t, --target <name>", "kubernetes target from dray.yaml (default: the first one)")
    .option("--user <name>", "bind them to this user")
    .option("--group <name>", "bind them to this group")
    .option("--service-account <[namespace/]name>", "bind them to this service account (default: dray)")
    .action(async (opts, cmd: Command) => {
      const { runRbac } = await import("./commands/rbac.js");
      process.exitCode = await runRbac({ ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("render")
    .description("write the Kubernetes manifests a deploy would apply, images pinned by digest (for GitOps)")
    .argument("[service...]", "services to render (default: all)")
    .option("-t, --target <name>", "kubernetes target from dray.yaml (default: the first one)")
    .option("-o, --output <file>", "write to <file> instead of standard output")
    .option("--no-push", "do not push the images (they must be in the registry already)")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runRender } = await import("./commands/render.js");
      process.exitCode = await runRender(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("dev")
    .description("deploy to the local engine, then live-update services on every save, with a web dashboard")
    .argument("[service...]", "services to run (default: all)")
    .option(
      "-t, --target <name>",
      "docker target from dray.yaml (default: the first docker target, else the local engine)",
    )
    .addOption(
      new Option(
        "--dashboard-port <port>",
        "serve the dashboard on this port of 127.0.0.1 (default: 0, any free port)",
      ).argParser(portNumber),
    )
    .option("--no-dashboard", "do not serve the web dashboard")
    .option("--down", "remove the services when dray dev stops")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runDev } = await import("./commands/dev.js");
      process.exitCode = await runDev(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  addPlanCommands(cli);

  cli
    .command("update-base")
    .description("resolve registry base images' tags to digests and pin them in dray.lock")
    .argument("[name...]", "services or base images to update (default: all)")
    .option("--json", "print what changed as JSON")
    .action(async (names: string[], opts, cmd: Command) => {
      const { runUpdateBase } = await import("./commands/update-base.js");
      process.exitCode = await runUpdateBase(names, { ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("verify")
    .description(
      "rebuild in a fresh copy with another path, clock, umask, TZ, locale and empty Go cache; compare digests",
    )
    .argument("[service...]", "services to verify (default: all)")
    .option("--json", "print the result as JSON")
    .option("--keep", "keep the temporary copy for inspection")
    .option(
      "--image <reference>",
      "rebuild a registry image (HOST[:PORT]/REPOSITORY[:TAG|@DIGEST]) from the commit its provenance names",
    )
    .option("--insecure", "with --image: plain HTTP without TLS verification (loopback needs not say so)")
    .action(async (services: string[], opts, cmd: Command) => {
      const { runVerify } = await import("./commands/verify.js");
      process.exitCode = await runVerify(services, { ...cmd.optsWithGlobals(), ...opts });
    });

  addEnvironmentCommands(cli);
  addSupplyChainCommands(cli);
  addLogsCommand(cli);
  addDeployHistoryCommands(cli);

  cli
    .command("graph")
    .description("show how many services each shared package reaches: where a change redeploys the most")
    .addOption(new Option("--json", "print the result as JSON").conflicts("dot"))
    .addOption(new Option("--dot", "print a Graphviz DOT graph of services and packages").conflicts("json"))
    .option("--platform <platform>", "list packages for this platform (default: each service's first)")
    .action(async (opts, cmd: Command) => {
      const { runGraph } = await import("./commands/graph.js");
      process.exitCode = await runGraph({ ...cmd.optsWithGlobals(), ...opts });
    });

  const cache = cli.command("cache").description("inspect and bound the local build cache in .dray/cache");
  cache
    .command("info")
    .description("show entries, services, size, limit (DRAY_CACHE_MAX, default 5GiB) and first and last use")
    .option("--json", "print the result as JSON")
    .action(async (opts, cmd: Command) => {
      const { runCacheInfo } = await import("./commands/cache.js");
      process.exitCode = await runCacheInfo({ ...cmd.optsWithGlobals(), ...opts });
    });
  cache
    .command("prune")
    .description("evict least recently used entries until under the limit, then remove unreferenced blobs")
    .option(
      "--max-size <size>",
      "bytes or a size like 500MB or 2GiB; 0 keeps only what tags reach (default: the limit)",
    )
    .option("--dry-run", "show what would be evicted and freed, change nothing")
    .option("--json", "print the result as JSON")
    .action(async (opts, cmd: Command) => {
      const { runCachePrune } = await import("./commands/cache.js");
      process.exitCode = await runCachePrune({ ...cmd.optsWithGlobals(), ...opts });
    });
  cache
    .command("check")
    .description(
      "hash every blob and check every tag and cache entry; exit 1 when anything is broken (--repair removes it)",
    )
    .option("--repair", "remove broken blobs, entries and tags, so that the next build rebuilds them")
    .option("--json", "print the result as JSON")
    .action(async (opts, cmd: Command) => {
      const { runCacheCheck } = await import("./commands/cache-check.js");
      process.exitCode = await runCacheCheck({ ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("init")
    .description(
      "discover Go modules and main packages and write a commented dray.yaml (if one exists: show what to add)",
    )
    .option("--add", "add the main packages an existing dray.yaml lacks to it")
    .option("-f, --force", "overwrite an existing dray.yaml")
    .option("--project <name>", "project name (default: the directory name)")
    .option(
      "--exclude <glob>",
      "leave out main packages in directories matching <glob> (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (opts, cmd: Command) => {
      const { runInit } = await import("./commands/init.js");
      process.exitCode = await runInit({ ...cmd.optsWithGlobals(), ...opts });
    });

  cli
    .command("schema")
    .description("print the JSON Schema of dray.yaml (for editors)")
    .action(async (_opts, cmd: Command) => {
      const { runSchema } = await import("./commands/schema.js");
      process.exitCode = await runSchema(cmd.optsWithGlobals());
    });

  return cli;
}

const guarded = new WeakSet<NodeJS.WriteStream>();

/**
 * A reader that stops reading (`dray graph --json | head`) ends dray's output quietly, as with
 * ripgrep or fd: the rest of it is dropped and the command still finishes its own work, so nothing
 * is left half-written; the exit code is the command's. (Node ignores SIGPIPE, so the broken pipe
 * arrives as an EPIPE error event, which would otherwise crash with a stack trace.)
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") return;
    // Any other failure of our own output: say so where it can still be read, once.
    const { text, exitCode } = renderError(error, outputStyle(process.stderr, process.env));
    if (stream !== process.stderr) process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  });
}

/** Run the CLI with `argv` (without node and script); sets process.exitCode. */
export async function main(argv: readonly string[]): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
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
