/** Running a command service's build command: any language, dray only packs what it produces. */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { CommandService } from "../config/index.js";
import { UserError } from "../errors/index.js";
import { exec, tailLines } from "../io/index.js";
import type { Platform } from "../oci/index.js";

/** The environment a build command sees: the caller's, the declared buildEnv, and the target platform. */
export function commandEnv(
  service: CommandService,
  platform: Platform,
  base: NodeJS.ProcessEnv,
  sourceDateEpoch: number,
): NodeJS.ProcessEnv {
  return {
    ...base,
    ...service.buildEnv,
    // Same names as BuildKit's build args, so existing scripts work unchanged.
    TARGETPLATFORM: [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/"),
    TARGETOS: platform.os,
    TARGETARCH: platform.architecture,
    TARGETVARIANT: platform.variant ?? "",
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
  };
}

/**
 * Run the command in the service directory. The output directory is emptied first so a file
 * left by an earlier run can never slip into the image.
 */
export async function runBuildCommand(
  service: CommandService,
  platform: Platform,
  options: { env: NodeJS.ProcessEnv; sourceDateEpoch: number; signal?: AbortSignal },
): Promise<void> {
  const output = path.resolve(service.output);
  if (
    output !== path.resolve(service.context) &&
    output.startsWith(path.resolve(service.context) + path.sep)
  ) {
    await rm(output, { recursive: true, force: true });
  }
  const [file, ...args] = service.command;
  if (!file) throw new UserError(`service ${service.name}: the build command is empty`);
  let result: Awaited<ReturnType<typeof exec>>;
  try {
    result = await exec(file, args, {
      cwd: service.context,
      env: commandEnv(service, platform, options.env, options.sourceDateEpoch),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw new UserError(`service ${service.name}: cannot run \`${file}\``, {
      details: (error as Error).message,
      hint: "Check that the program is installed and on PATH.",
      cause: error,
    });
  }
  if (result.code !== 0) {
    throw new UserError(
      `service ${service.name}: build command \`${service.command.join(" ")}\` failed (exit ${result.code ?? result.signal})`,
      { details: tailLines(`${result.stdout}\n${result.stderr}`, 60) },
    );
  }
}
