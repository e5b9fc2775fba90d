/**
 * `dray init`: finds the Go main packages under a directory and writes a commented dray.yaml for
 * them. The text is checked with the same code that reads it, so init never writes a file that
 * dray would then refuse.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { CONFIG_FILE, checkConfig, checkProjectName, existsOnDisk, renderProblem } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { GoOptions } from "../go/index.js";
import { writeFileAtomic } from "../io/index.js";
import { discoverGoMainPackages } from "./discover.js";
import { renderInitConfig } from "./init-template.js";
import { toProjectName } from "./names.js";

/** What to initialize. */
export interface InitOptions extends GoOptions {
  /** The monorepo's root; dray.yaml is written here. */
  root: string;
  /** Overwrite an existing dray.yaml. */
  force?: boolean;
  /** The project's name; default: the root directory's name, made valid. */
  project?: string;
}

/** What was written. */
export interface InitResult {
  /** Absolute path of the new dray.yaml. */
  file: string;
  /** The service names in it, sorted by package directory. */
  services: string[];
}

async function present(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function chooseProject(root: string, given: string | undefined): Promise<string> {
  if (given === undefined) return toProjectName(path.basename(root));
  const result = await checkProjectName(given);
  if (result.ok) return result.name;
  throw new UserError(result.message ?? `${JSON.stringify(given)} is not a valid project name`, {
    exitCode: ExitCode.usage,
  });
}

/** Discovers the Go services under `root` and writes dray.yaml for them. */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const root = path.resolve(options.root);
  const file = path.join(root, CONFIG_FILE);
  if (!options.force && (await present(file))) {
    throw new UserError(`${file} already exists`, {
      exitCode: ExitCode.usage,
      hint: "Edit it by hand, or run `dray init --force` to replace it.",
    });
  }
  const project = await chooseProject(root, options.project);
  const packages = await discoverGoMainPackages(root, { go: options.go, env: options.env });
  if (packages.length === 0) {
    throw new UserError(`found no Go main package under ${root}`, {
      exitCode: ExitCode.usage,
      hint: "dray init looks for `package main` in every Go module (go.mod) below the directory. For other services, write dray.yaml by hand; see README.md.",
    });
  }
  const text = renderInitConfig({ project, packages });
  const check = await checkConfig({
    source: text,
    file,
    display: CONFIG_FILE,
    env: {},
    exists: existsOnDisk,
  });
  if (!check.ok) {
    // A bug in init, not the user's doing: an internal error with the problems, not a UserError.
    throw new Error(
      `dray init produced an invalid ${CONFIG_FILE}:\n${check.problems.map(renderProblem).join("\n")}`,
    );
  }
  await writeFileAtomic(file, text);
  return { file, services: packages.map((p) => p.name) };
}
