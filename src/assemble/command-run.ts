/**
 * Running a command service's build command: any language, dray only packs what it produces.
 *
 * The declared output is one directory on disk, shared by every run of the service: this build's
 * platforms one after another, and any other dray process building the same project at the same
 * time. So the stretch from emptying it to taking what the command wrote holds a lock of that
 * output (in `.dray/locks`), and what was written is then moved into a directory of this run's
 * own under `.dray/tmp`, which is what gets packed: nothing another run writes can reach this
 * run's image. The lock is per output, not per project, so different services still build in
 * parallel; config checks make sure no two services' outputs overlap.
 *
 * No other phase of a build needs a lock of its own: packing reads the private copy; blobs are
 * content-addressed and written to a temporary name and renamed; a cache entry is one file written
 * the same way (two processes storing one key store the same images); and index.json, where tags
 * move, has its own lock in the layout.
 */

import { createHash } from "node:crypto";
import { cp, lstat, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { type CommandService, isInside, realPathOnDisk } from "../config/index.js";
import { ExitCode, fileSystemFault, UserError } from "../errors/index.js";
import { acquireFileLock, exec, tailLines } from "../io/index.js";
import type { Platform } from "../oci/index.js";
import { requireOutputDirectory } from "./command-output.js";

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

/** What a run needs besides the service and platform. */
export interface CommandRunOptions {
  env: NodeJS.ProcessEnv;
  sourceDateEpoch: number;
  signal?: AbortSignal;
  /** `.dray/locks`. */
  locks: string;
  /** Where this run's output goes to be packed: a path of this run's own that does not exist yet. */
  privateOutput: string;
}

/** What a run produced, moved out of the service's way. */
export interface ProducedOutput {
  /** The private directory holding exactly what this run wrote. */
  dir: string;
  /** The real path of the declared output: symlinks in it are judged from there. */
  origin: string;
}

/** Run the command for `platform` and take what it wrote to its output (see the top of this file). */
export async function runBuildCommand(
  service: CommandService,
  platform: Platform,
  options: CommandRunOptions,
): Promise<ProducedOutput> {
  await mkdir(options.locks, { recursive: true });
  const id = createHash("sha256").update(service.output).digest("hex").slice(0, 16);
  const attempt = await acquireFileLock(path.join(options.locks, `output-${id}.lock`), {
    // A command may run for minutes: wait for as long as the holder lives (a dead one's lock is taken over).
    timeoutMs: Number.POSITIVE_INFINITY,
    ...(options.signal ? { signal: options.signal } : {}),
    fields: { service: service.name, output: service.output },
  });
  if (!attempt.acquired) {
    options.signal?.throwIfAborted();
    throw new Error(`internal: gave up waiting for the lock of ${service.output}`);
  }
  try {
    const origin = confinedOutput(service);
    // Emptied first, so a file left by an earlier run can never slip into the image.
    await rm(service.output, { recursive: true, force: true });
    await runCommand(service, platform, options);
    await takeOutput(service, origin, options.privateOutput);
    return { dir: options.privateOutput, origin };
  } finally {
    await attempt.lock.release();
  }
}

/**
 * The real path of the service's output, checked to lie strictly inside its dir — again here,
 * because a symlink may have changed since dray.yaml was checked, and this directory is deleted.
 * The output itself is not followed: a symlink there is removed, not its target.
 */
function confinedOutput(service: CommandService): string {
  const real = path.join(realPathOnDisk(path.dirname(service.output)), path.basename(service.output));
  const dir = realPathOnDisk(service.context);
  if (real !== dir && isInside(dir, real)) return real;
  throw new UserError(
    `service ${service.name}: its output ${service.output} resolves to ${real}, not inside its dir ${dir}`,
    {
      exitCode: ExitCode.usage,
      hint: "dray empties the output before each run: replace the symlink on the way to it with a directory",
    },
  );
}

async function runCommand(service: CommandService, platform: Platform, options: CommandRunOptions) {
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

/** Moves the output the command wrote to `target`; a copy where they are on different file systems. */
async function takeOutput(service: CommandService, origin: string, target: string): Promise<void> {
  const info = await lstat(service.output).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw new UserError(
      `service ${service.name}: the build command left a symlink at its output directory ${service.output}`,
      {
        hint: "make the command write its result into that directory (`output`, relative to `dir`), or set `output` to where it writes",
      },
    );
  }
  if (!info?.isDirectory()) await requireOutputDirectory(service, service.output);
  // The command may have replaced a directory on the way with a symlink: take only what is where it was.
  if (confinedOutput(service) !== origin) {
    throw new UserError(
      `service ${service.name}: ${service.output} moved to ${realPathOnDisk(service.output)} while the command ran`,
      {
        exitCode: ExitCode.usage,
      },
    );
  }
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await rename(service.output, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await cp(service.output, target, {
      recursive: true,
      verbatimSymlinks: true,
      force: false,
      errorOnExist: true,
    }).catch(async (copyError: unknown) => {
      // Nothing half-copied stays behind, and a full disk is named where dray was writing.
      await rm(target, { recursive: true, force: true });
      throw fileSystemFault(copyError, { path: target }) ?? copyError;
    });
  }
}
