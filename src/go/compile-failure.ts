/**
 * The error of a failed compile: the compiler's output, the exact command to reproduce it, and —
 * when the output points at cgo or build constraints — the dray.yaml key that fixes it, at its line.
 */
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { tailLines } from "../io/index.js";
import type { Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import { type CCompiler, missingCompilerHint } from "./cross-cc.js";
import { type CompileCause, diagnoseCompile, type ReadGoFiles } from "./diagnose.js";
import { type GoBuildable, reproduceCommand } from "./go-build.js";
import type { GoMain } from "./main-package.js";
import type { GoToolchain } from "./toolchain.js";

/** Where a service's setting is written in dray.yaml, e.g. "dray.yaml:7:5" (the service's line when it is not). */
export type LocateSetting = (service: string, key: "cgo" | "tags") => string;

/** What a failure message needs besides the compile itself. */
export interface FailureContext {
  toolchain: GoToolchain;
  env: NodeJS.ProcessEnv;
  locate?: LocateSetting;
  read?: ReadGoFiles;
}

/** The UserError for `service`'s compile on `platform` that printed `output`. */
export async function compileFailure(
  service: GoBuildable,
  main: Pick<GoMain, "moduleRoot" | "relPackage">,
  platform: Platform,
  output: string,
  context: FailureContext,
): Promise<UserError> {
  return new UserError(`service ${service.name}: go build failed for ${platformName(platform)}`, {
    details: tailLines(output, 60),
    hint: (await failureHints(service, main, platform, output, context)).join("\n"),
  });
}

/**
 * What to do about a failed compile (or a `go list` that already failed the same way): the
 * dray.yaml key to change, when the output points at cgo or build constraints, then the shell line
 * that reproduces exactly what dray ran.
 */
export async function failureHints(
  service: GoBuildable,
  main: Pick<GoMain, "moduleRoot" | "relPackage">,
  platform: Platform,
  output: string,
  context: FailureContext,
): Promise<string[]> {
  const command = reproduceCommand(service, platform, {
    toolchain: context.toolchain,
    cwd: main.moduleRoot,
    packages: [main.relPackage],
    env: context.env,
  });
  const causes = await diagnoseCompile(output, {
    cwd: main.moduleRoot,
    cgo: service.cgo,
    ...(context.read ? { read: context.read } : {}),
  });
  const where = (key: "cgo" | "tags") =>
    `service ${service.name} (${context.locate?.(service.name, key) ?? "dray.yaml"})`;
  return [
    ...causes.map((cause) => causeText(cause, main.moduleRoot, where)),
    `Reproduce it with: ${command}`,
  ];
}

function causeText(cause: CompileCause, moduleRoot: string, where: (key: "cgo" | "tags") => string): string {
  if (cause.kind === "no-c-compiler")
    return `cgo needs a C compiler and ${cause.compiler} is not there: install one (Debian: apt-get install gcc libc6-dev), or set CC.`;
  const dir = shown(cause.dir, moduleRoot);
  if (cause.kind === "needs-cgo")
    return `${dir} uses cgo (import "C"), and cgo is off for this build: set \`cgo: true\` for ${where("cgo")}.`;
  const named = cause.tags.length > 0 ? ` (their //go:build lines name ${cause.tags.join(", ")})` : "";
  const example = cause.tags.length > 0 ? `[${cause.tags.join(", ")}]` : "[…]";
  return `build constraints leave out every Go file of ${dir}${named}: if it needs a build tag, list it under \`tags: ${example}\` for ${where("tags")}.`;
}

/** A directory inside the module as a relative path; one outside it as it is. */
function shown(dir: string, moduleRoot: string): string {
  const rel = path.relative(moduleRoot, dir);
  return rel === ""
    ? "."
    : rel.startsWith("..") || path.isAbsolute(rel)
      ? dir
      : rel.split(path.sep).join("/");
}

/** The error of a cgo build for another platform with no cross compiler: said before go runs. */
export function missingCompilerError(
  service: GoBuildable,
  platform: Platform,
  missing: Extract<CCompiler, { kind: "missing" }>,
): UserError {
  const name = platformName(platform);
  return new UserError(
    `service ${service.name}: cgo needs a C compiler for ${name}, and ${missing.compiler} is not on PATH`,
    { exitCode: ExitCode.environment, hint: missingCompilerHint(missing, name) },
  );
}
