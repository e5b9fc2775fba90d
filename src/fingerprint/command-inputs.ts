/**
 * The input files of a command service: what its `inputs` globs match under its context, minus what
 * git and `.drayignore` ignore. The walk is our own rather than a glob library's because those either
 * drop symlinks or follow them, and cannot prune a git-ignored directory before reading it; matching
 * still uses picomatch, the engine behind tinyglobby and fast-glob.
 */
import type { Dirent } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { ExitCode, fileSystemFault, UserError } from "../errors/index.js";
import { compareUtf8 } from "./tree-hash.js";

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

/** One .gitignore: its rules, and how to turn a path relative to the context into one relative to it. */
interface IgnoreLevel {
  rules: Ignore;
  /** Removed from the front: the directory (relative to the context, with "/") the file sits in. */
  strip: string;
  /** Put in front: the context's path relative to an ancestor's .gitignore, with "/". */
  prefix: string;
}

interface Globs {
  matches(rel: string): boolean;
  /** False when no include can match anything under the directory, so it need not be read. */
  mayContain(relDir: string): boolean;
  /** True when an exclude covers everything under the directory. */
  excludesAll(relDir: string): boolean;
}

interface Walk {
  dir: string;
  globs: Globs;
  /** The output directory relative to `dir`, or undefined when it lies outside. */
  output: string | undefined;
  drayignore: Ignore | undefined;
  found: string[];
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
  const [levels, drayignore] = await Promise.all([
    ancestorLevels(options.dir),
    readRules(path.join(options.dir, ".drayignore")),
  ]);
  const walk: Walk = { dir: options.dir, globs, output, drayignore, found: [] };
  await walkDir(walk, "", levels);
  return walk.found.sort(compareUtf8);
}

async function walkDir(walk: Walk, relDir: string, levels: readonly IgnoreLevel[]): Promise<void> {
  const absDir = relDir === "" ? walk.dir : path.join(walk.dir, relDir);
  let children: Dirent[];
  try {
    children = await readdir(absDir, { withFileTypes: true });
  } catch (error) {
    throw new UserError(`cannot list ${absDir}: ${(error as Error).message}`, { cause: error });
  }
  const own = children.some((c) => c.name === ".gitignore")
    ? await readRules(path.join(absDir, ".gitignore"))
    : undefined;
  const here = own
    ? [...levels, { rules: own, strip: relDir === "" ? "" : `${relDir}/`, prefix: "" }]
    : levels;
  const subdirs: Promise<void>[] = [];
  for (const child of children) {
    if (SKIPPED.has(child.name)) continue;
    const rel = relDir === "" ? child.name : `${relDir}/${child.name}`;
    if (rel === walk.output) continue;
    if (child.isDirectory()) {
      if (!walk.globs.mayContain(rel) || walk.globs.excludesAll(rel)) continue;
      // A trailing "/" lets directory-only rules ("dist/") match, as git does.
      if (!isIgnored(`${rel}/`, here, walk.drayignore))
        subdirs.push(walkDir(walk, rel, reincluded(here, rel)));
    } else if (child.isFile() || child.isSymbolicLink()) {
      if (walk.globs.matches(rel) && !isIgnored(rel, here, walk.drayignore)) walk.found.push(rel);
    }
  }
  await Promise.all(subdirs);
}

/**
 * Git's precedence: the deepest .gitignore with a rule matching the path decides, and within a file
 * the last matching rule. `.drayignore` is asked first. Ignored directories are never entered, so,
 * as in git, a file inside one cannot be brought back.
 */
function isIgnored(rel: string, levels: readonly IgnoreLevel[], drayignore: Ignore | undefined): boolean {
  if (drayignore) {
    const verdict = drayignore.test(rel);
    if (verdict.ignored || verdict.unignored) return verdict.ignored;
  }
  for (let i = levels.length - 1; i >= 0; i--) {
    const verdict = levels[i]!.rules.test(levelPath(levels[i]!, rel));
    if (verdict.ignored || verdict.unignored) return verdict.ignored;
  }
  return false;
}

/**
 * The levels to judge what is inside `relDir`, a directory we walk into. If a level ignores it but a
 * deeper level or .drayignore brought it back, that level's `test` would call everything inside
 * ignored (it checks parents, git's "cannot re-include" rule); an anchored negation appended to a copy
 * of its rules lets its own rules still apply to the contents (e.g. "*.tmp"), as in git.
 */
function reincluded(levels: readonly IgnoreLevel[], relDir: string): readonly IgnoreLevel[] {
  let changed = false;
  const next = levels.map((level) => {
    const dir = levelPath(level, `${relDir}/`);
    if (!level.rules.test(dir).ignored) return level;
    changed = true;
    // `dir` ends in "/", so only glob characters need escaping, not trailing spaces.
    const negation = `!/${dir.replace(/[\\*?[\]]/g, "\\$&")}`;
    return { ...level, rules: ignore({ ignorecase: false }).add(level.rules).add(negation) };
  });
  return changed ? next : levels;
}

/** `rel` (relative to the context) as the level's .gitignore sees it. */
function levelPath(level: IgnoreLevel, rel: string): string {
  return level.prefix + rel.slice(level.strip.length);
}

/**
 * The .gitignore files above `dir` up to the git root (outermost first). Outside a repository there
 * are none: rules of an unrelated directory above must not change a key. Global excludes and
 * .git/info/exclude are not read, because they differ between machines and so would keys.
 */
async function ancestorLevels(dir: string): Promise<IgnoreLevel[]> {
  const ancestors: string[] = [];
  let current = dir;
  while (!(await exists(path.join(current, ".git")))) {
    const parent = path.dirname(current);
    if (parent === current) return [];
    ancestors.push(parent);
    current = parent;
  }
  const levels: IgnoreLevel[] = [];
  for (const ancestor of ancestors.reverse()) {
    const rules = await readRules(path.join(ancestor, ".gitignore"));
    const prefix = `${path.relative(ancestor, dir).split(path.sep).join("/")}/`;
    if (rules) levels.push({ rules, strip: "", prefix });
  }
  return levels;
}

/** Rules of a .gitignore-syntax file, or undefined when there is none. */
async function readRules(file: string): Promise<Ignore | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
    throw (
      fileSystemFault(error, { path: file }) ??
      new UserError(`cannot read ${file}: ${(error as Error).message}`, { cause: error })
    );
  }
  // Case-sensitive everywhere: the same checkout must give the same key on macOS and Linux.
  return ignore({ ignorecase: false }).add(text);
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
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
