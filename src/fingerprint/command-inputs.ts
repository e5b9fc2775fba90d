/**
 * The input files of a command service: what its `inputs` globs match under its context, minus what
 * git and `.drayignore` ignore (see ignore-walk.ts, shared with `files:` sources). The walk is our own
 * rather than a glob library's because those either drop symlinks or follow them, and cannot prune a
 * git-ignored directory before reading it; matching still uses picomatch, the engine behind tinyglobby
 * and fast-glob.
 */
import path from "node:path";
import picomatch from "picomatch";
import { ExitCode, UserError } from "../errors/index.js";
import { readIgnoreRules, walkIgnoring } from "./ignore-walk.js";

/** What `listCommandInputs` needs. */
export interface CommandInputsOptions {
  /** Absolute service directory (the context); every glob is relative to it. */
  dir: string;
  /** Globs relative to `dir`; a "!" prefix excludes. A directory name means everything beneath it. */
  inputs: readonly string[];
  /** Absolute output directory: what the command writes is never its own input. */
  output: string;
}

/** Names never walked into, at any depth: VCS data, dray's own state, installed dependencies. */
const SKIPPED = new Set([".git", ".dray", "node_modules"]);
/** Dotfiles are inputs too (`.babelrc`, `.npmrc` change outputs); ignore files say what is not. */
const MATCH_OPTIONS = { dot: true } as const;

interface Globs {
  matches(rel: string): boolean;
  /** False when no include can match anything under the directory, so it need not be read. */
  mayContain(relDir: string): boolean;
  /** True when an exclude covers everything under the directory. */
  excludesAll(relDir: string): boolean;
}

/**
 * Files (regular files and symlinks, never followed) matched by `inputs` under `dir`, relative to it,
 * "/"-separated and sorted bytewise. Honours .gitignore files in `dir`, below it and above it up to
 * the git root, and `dir/.drayignore`, which takes precedence over them all (so "!x" there can bring
 * back a git-ignored file). An invalid glob is a UserError naming it; a glob matching nothing is fine.
 */
export async function listCommandInputs(options: CommandInputsOptions): Promise<string[]> {
  const globs = compileGlobs(options.inputs);
  const output = relativeInside(options.dir, options.output);
  if (globs === undefined || output === "") return [];
  const rules = await readIgnoreRules(options.dir, options.dir);
  const walked = await walkIgnoring(options.dir, rules, {
    skipped: SKIPPED,
    enter: (rel) => rel !== output && globs.mayContain(rel) && !globs.excludesAll(rel),
    keep: (rel) => rel !== output && globs.matches(rel),
  });
  return walked.files;
}

/** `target` relative to `dir` ("/"-separated, "" for `dir` itself), or undefined when outside it. */
function relativeInside(dir: string, target: string): string | undefined {
  const rel = path.relative(dir, target);
  if (rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join("/");
}

/** Validates and compiles the globs; undefined when nothing is included. */
function compileGlobs(inputs: readonly string[]): Globs | undefined {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const input of inputs) {
    const negated = input.startsWith("!");
    const pattern = normalizeGlob(negated ? input.slice(1) : input, input);
    (negated ? exclude : include).push(pattern);
  }
  if (include.length === 0) return undefined;
  const isIncluded = picomatch(include, MATCH_OPTIONS);
  const isExcluded = exclude.length > 0 ? picomatch(exclude, MATCH_OPTIONS) : () => false;
  // "x/**" matching a directory matches everything beneath it; other excludes are checked per file.
  const subtrees = exclude.filter((p) => p.endsWith("/**"));
  const coversSubtree = subtrees.length > 0 ? picomatch(subtrees, MATCH_OPTIONS) : () => false;
  // The literal directory each include starts at ("" when it starts with a wildcard).
  const bases = include.map((p) => {
    const base = picomatch.scan(p).base;
    return base.includes("\\") ? "" : base;
  });
  return {
    matches: (rel) => isIncluded(rel) && !isExcluded(rel),
    mayContain: (relDir) =>
      bases.some((b) => b === "" || b === relDir || relDir.startsWith(`${b}/`) || b.startsWith(`${relDir}/`)),
    excludesAll: (relDir) => coversSubtree(relDir),
  };
}

/** "./src/" → "src/**": a path to a directory means its contents, as in tinyglobby and fast-glob. */
function normalizeGlob(pattern: string, original: string): string {
  const problem = globProblem(pattern);
  if (problem !== undefined) {
    throw new UserError(`invalid input glob "${original}": ${problem}`, {
      exitCode: ExitCode.usage,
      hint: 'inputs are globs relative to the service\'s context, e.g. "src/**" or "!**/*.test.ts"',
    });
  }
  let p = pattern;
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/\/+$/, "");
  if (p === "" || p === ".") return "**";
  return p.endsWith("*") ? p : `${p}/**`;
}

function globProblem(pattern: string): string | undefined {
  if (pattern === "") return "it is empty";
  if (pattern.startsWith("/")) return "it is absolute; inputs are relative to the service's context";
  if (pattern.split("/").includes("..")) return 'it leaves the service\'s context ("..")';
  if (pattern.endsWith("\\")) return "it ends with an unfinished escape";
  try {
    picomatch.makeRe(pattern, { ...MATCH_OPTIONS, strictBrackets: true });
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
