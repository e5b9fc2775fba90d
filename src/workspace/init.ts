/**
 * `dray init`: finds the Go modules and main packages under a directory and writes a commented
 * dray.yaml for them. Where dray.yaml exists, it never overwrites it unasked: it shows the entries
 * of the main packages the file does not mention yet, and adds them with `add`. Every text is
 * checked with the same code that reads it, so init never writes a file that dray would refuse.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CONFIG_FILE, checkConfig, checkProjectName, existsOnDisk, renderProblem } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { GoOptions } from "../go/index.js";
import { writeFileAtomic } from "../io/index.js";
import { type Discovery, discoverGoProject, type FoundModule, type MainPackage } from "./discover.js";
import { insertServices, readExistingServices } from "./init-existing.js";
import { renderInitConfig, renderServiceEntries } from "./init-template.js";
import { toProjectName } from "./names.js";

/** What to initialize. */
export interface InitOptions extends GoOptions {
  /** The monorepo's root; dray.yaml is written here. */
  root: string;
  /** Overwrite an existing dray.yaml. */
  force?: boolean;
  /** Add the new main packages to an existing dray.yaml. */
  add?: boolean;
  /** The project's name; default: the root directory's name, made valid. */
  project?: string;
  /** `--exclude` globs: main packages in matching directories are left out. */
  exclude?: readonly string[];
}

/** What init found, whatever it did with it. */
interface Found {
  /** Absolute path of dray.yaml. */
  file: string;
  modules: FoundModule[];
  /** Services written (or to write), by package directory. */
  services: string[];
  /** Test and tool programs written (or to write) commented out. */
  aside: string[];
  excluded: Discovery["excluded"];
  /** Modules where the environment asked for something that does not apply, and why. */
  notes: string[];
}

/**
 * What init did: wrote a new dray.yaml; found main packages an existing one lacks and shows their
 * entries (`preview`) or added them (`added`); or found nothing new (`unchanged`).
 */
export type InitResult =
  | ({ kind: "written" } & Found)
  | ({ kind: "preview"; entries: string } & Found)
  | ({ kind: "added" } & Found)
  | ({ kind: "unchanged"; known: number } & Found);

async function chooseProject(root: string, given: string | undefined): Promise<string> {
  if (given === undefined) return toProjectName(path.basename(root));
  const result = await checkProjectName(given);
  if (result.ok) return result.name;
  throw new UserError(result.message ?? `${JSON.stringify(given)} is not a valid project name`, {
    exitCode: ExitCode.usage,
  });
}

/** The dray.yaml text must load: a problem in text init made is a bug in init, not the user's doing. */
async function checkText(file: string, text: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const check = await checkConfig({ source: text, file, display: CONFIG_FILE, env, exists: existsOnDisk });
  return check.ok ? [] : check.problems.map(renderProblem);
}

function found(file: string, discovery: Discovery, packages: readonly MainPackage[]): Found {
  return {
    file,
    modules: discovery.modules,
    services: packages.filter((p) => !p.aside).map((p) => p.name),
    aside: packages.filter((p) => p.aside).map((p) => p.name),
    excluded: discovery.excluded,
    notes: discovery.modules.filter((m) => m.note).map((m) => `${m.dir}: ${m.note}`),
  };
}

function nothingFound(root: string, discovery: Discovery): UserError {
  const excluded = discovery.excluded.length;
  return new UserError(
    `found no Go main package under ${root}${excluded > 0 ? ` (${excluded} excluded by --exclude)` : ""}`,
    {
      exitCode: ExitCode.usage,
      hint: "dray init looks for `package main` in every Go module (go.mod) below the directory. For other services, write dray.yaml by hand; see README.md.",
    },
  );
}

/** Discovers the Go services under `root` and writes dray.yaml for them (or shows what to add to it). */
export async function initProject(options: InitOptions): Promise<InitResult> {
  if (options.add && options.force) {
    throw new UserError("--add and --force do not go together", {
      exitCode: ExitCode.usage,
      hint: "--add keeps dray.yaml and adds the new main packages; --force replaces the file.",
    });
  }
  const root = path.resolve(options.root);
  const file = path.join(root, CONFIG_FILE);
  const go = { go: options.go, env: options.env, exclude: options.exclude ?? [] };
  const existing = options.force ? undefined : await readFile(file, "utf8").catch(() => undefined);
  if (existing !== undefined) return extendProject(root, file, existing, options, go);

  const project = await chooseProject(root, options.project);
  const discovery = await discoverGoProject(root, go);
  if (discovery.mains.length === 0) throw nothingFound(root, discovery);
  // A repository of nothing but test and tool programs: those are its services.
  const packages = discovery.mains.every((m) => m.aside)
    ? discovery.mains.map(({ aside: _, ...main }) => main)
    : discovery.mains;
  const text = renderInitConfig({ project, modules: discovery.modules, packages });
  const problems = await checkText(file, text, {});
  if (problems.length > 0)
    throw new Error(`dray init produced an invalid ${CONFIG_FILE}:\n${problems.join("\n")}`);
  await writeFileAtomic(file, text);
  return { kind: "written", ...found(file, discovery, packages) };
}

/** The existing dray.yaml in `text`: which main packages it lacks, and (with `add`) adding them. */
async function extendProject(
  root: string,
  file: string,
  text: string,
  options: InitOptions,
  go: Parameters<typeof discoverGoProject>[1],
): Promise<InitResult> {
  const known = readExistingServices(text, file);
  const discovery = await discoverGoProject(root, { ...go, taken: known.names });
  const fresh = discovery.mains.filter((m) => !known.packages.has(m.package));
  const result = found(file, discovery, fresh);
  if (fresh.length === 0) return { kind: "unchanged", known: discovery.mains.length, ...result };
  const entries = renderServiceEntries(fresh);
  if (!options.add) return { kind: "preview", entries, ...result };
  const added = insertServices(text, entries, file);
  if (added === undefined) {
    throw new UserError(`cannot add services to ${file}: its services: map is written in flow style`, {
      exitCode: ExitCode.usage,
      details: entries,
      hint: "Add the entries above under `services:` by hand.",
    });
  }
  const env = options.env ?? process.env;
  const before = await checkText(file, text, env);
  if (before.length > 0) {
    throw new UserError(`${file} has problems; fix them before adding services`, {
      exitCode: ExitCode.usage,
      details: before.join("\n"),
    });
  }
  const after = await checkText(file, added, env);
  if (after.length > 0)
    throw new Error(`dray init --add produced an invalid ${CONFIG_FILE}:\n${after.join("\n")}`);
  await writeFileAtomic(file, added);
  return { kind: "added", ...result };
}
