/**
 * The one walk of project files that honours ignore rules, shared by command `inputs` and `files:`
 * sources so that what a key hashes and what an image packs are chosen the same way: .gitignore
 * files in the walked directory, below it and above it up to the git root, and the service's
 * `.drayignore`, which takes precedence over them all (so "!x" there can bring back a git-ignored
 * path). Symlinks are listed, never followed.
 */
import { lstat, readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { fileSystemFault, UserError } from "../errors/index.js";
import { type DirectoryEntry, nonUtf8NameError, readDirectory } from "../io/index.js";
import { compareUtf8 } from "./tree-hash.js";

/** One ignore file: its rules, and how to turn a path relative to the walk's root into one relative to it. */
interface IgnoreLevel {
  rules: Ignore;
  /** Removed from the front: the directory (relative to the walk's root, with "/") the file sits in. */
  strip: string;
  /** Put in front: the walk root's path relative to the file's directory, with "/" ("" when it is the root). */
  prefix: string;
}

/** The rules a walk starts with. */
export interface IgnoreRules {
  /** The .gitignore files above the walk's root up to the git root, outermost first. */
  readonly levels: readonly IgnoreLevel[];
  /** The service's `.drayignore`, asked before any .gitignore. */
  readonly drayignore: IgnoreLevel | undefined;
}

/** What a walk lists, besides what the rules ignore. */
export interface WalkChoice {
  /** Names never entered or listed, at any depth. */
  readonly skipped: ReadonlySet<string>;
  /** Whether a directory the rules keep is worth entering (relative to the walk's root). */
  enter(relDir: string): boolean;
  /** Whether a file or symlink the rules keep is listed. */
  keep(rel: string): boolean;
}

/**
 * The rules for a walk of `root`, a directory inside the service's `context` (or the context itself).
 * Outside a repository no .gitignore above `root` applies: rules of an unrelated directory above must
 * not change a key. Global excludes and .git/info/exclude are not read, because they differ between
 * machines and so would keys and images.
 */
export async function readIgnoreRules(root: string, context: string): Promise<IgnoreRules> {
  const [levels, drayignore] = await Promise.all([
    ancestorLevels(root),
    readRules(path.join(context, ".drayignore")),
  ]);
  const prefix = prefixOf(context, root);
  return { levels, drayignore: drayignore && { rules: drayignore, strip: "", prefix } };
}

/**
 * The same rules with the walk's root itself kept: every directory on the way to it that a rule
 * ignores is brought back by an anchored negation, so that a path named explicitly (a `files:`
 * source) is copied while the rules still apply to what is inside it.
 */
export function keepingRoot(rules: IgnoreRules): IgnoreRules {
  const keep = (level: IgnoreLevel): IgnoreLevel => {
    let next = level;
    const parts = level.prefix.split("/").filter((part) => part !== "");
    for (let i = 1; i <= parts.length; i++) next = reincludedDir(next, `${parts.slice(0, i).join("/")}/`);
    return next;
  };
  return { levels: rules.levels.map(keep), drayignore: rules.drayignore && keep(rules.drayignore) };
}

/** What a walk found under its root: paths relative to it, "/"-separated, sorted bytewise. */
export interface WalkResult {
  /** Files and symlinks that `rules` and `choice` keep. */
  files: string[];
  /** Directories entered (empty ones too). */
  directories: string[];
}

/** Walks `root`, listing what `rules` and `choice` keep. */
export async function walkIgnoring(
  root: string,
  rules: IgnoreRules,
  choice: WalkChoice,
): Promise<WalkResult> {
  const found: WalkResult = { files: [], directories: [] };
  await walkDir({ root, drayignore: rules.drayignore, choice, found }, "", rules.levels);
  return { files: found.files.sort(compareUtf8), directories: found.directories.sort(compareUtf8) };
}

interface Walk {
  root: string;
  drayignore: IgnoreLevel | undefined;
  choice: WalkChoice;
  found: WalkResult;
}

async function walkDir(walk: Walk, relDir: string, levels: readonly IgnoreLevel[]): Promise<void> {
  const absDir = relDir === "" ? walk.root : path.join(walk.root, relDir);
  let children: DirectoryEntry[];
  try {
    children = await readDirectory(absDir);
  } catch (error) {
    throw (
      fileSystemFault(error, { path: absDir }) ??
      new UserError(`cannot list ${absDir}: ${(error as Error).message}`, { cause: error })
    );
  }
  const own = children.some((c) => c.name === ".gitignore")
    ? await readRules(path.join(absDir, ".gitignore"))
    : undefined;
  const here = own
    ? [...levels, { rules: own, strip: relDir === "" ? "" : `${relDir}/`, prefix: "" }]
    : levels;
  const subdirs: Promise<void>[] = [];
  for (const child of children) {
    if (walk.choice.skipped.has(child.name)) continue;
    const rel = relDir === "" ? child.name : `${relDir}/${child.name}`;
    if (child.isDirectory()) {
      // A trailing "/" lets directory-only rules ("dist/") match, as git does.
      if (walk.choice.enter(rel) && !isIgnored(`${rel}/`, here, walk.drayignore)) {
        // What is listed becomes a key's text and an image's path: a decoded name would be another file.
        if (!child.exact) throw nonUtf8NameError(absDir, child.bytes);
        walk.found.directories.push(rel);
        subdirs.push(walkDir(walk, rel, reincluded(here, rel)));
      }
    } else if (child.isFile() || child.isSymbolicLink()) {
      if (walk.choice.keep(rel) && !isIgnored(rel, here, walk.drayignore)) {
        if (!child.exact) throw nonUtf8NameError(absDir, child.bytes);
        walk.found.files.push(rel);
      }
    }
  }
  await Promise.all(subdirs);
}

/**
 * Git's precedence: the deepest .gitignore with a rule matching the path decides, and within a file
 * the last matching rule. `.drayignore` is asked first. Ignored directories are never entered, so,
 * as in git, a file inside one cannot be brought back.
 */
function isIgnored(
  rel: string,
  levels: readonly IgnoreLevel[],
  drayignore: IgnoreLevel | undefined,
): boolean {
  if (drayignore) {
    const verdict = drayignore.rules.test(levelPath(drayignore, rel));
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
  const next = levels.map((level) => reincludedDir(level, levelPath(level, `${relDir}/`)));
  return next.some((level, i) => level !== levels[i]) ? next : levels;
}

/** `level` with `dir` (as the level sees it, ending in "/") brought back if its rules ignore it. */
function reincludedDir(level: IgnoreLevel, dir: string): IgnoreLevel {
  if (!level.rules.test(dir).ignored) return level;
  // `dir` ends in "/", so only glob characters need escaping, not trailing spaces.
  const negation = `!/${dir.replace(/[\\*?[\]]/g, "\\$&")}`;
  return { ...level, rules: ignore({ ignorecase: false }).add(level.rules).add(negation) };
}

/** `rel` (relative to the walk's root) as the level's ignore file sees it. */
function levelPath(level: IgnoreLevel, rel: string): string {
  return level.prefix + rel.slice(level.strip.length);
}

/** `dir` relative to `base`, "/"-separated with a trailing "/", or "" when they are the same. */
function prefixOf(base: string, dir: string): string {
  const relative = path.relative(base, dir).split(path.sep).join("/");
  return relative === "" ? "" : `${relative}/`;
}

/** The .gitignore files above `dir` up to the git root (outermost first); none outside a repository. */
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
    if (rules) levels.push({ rules, strip: "", prefix: prefixOf(ancestor, dir) });
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
