/**
 * Which main packages `dray init` makes services: every one, except those the user excludes with
 * `--exclude GLOB`; test and tool programs are written too, but commented out.
 */
import picomatch from "picomatch";

/**
 * Directory names that hold test and tool programs rather than services: a main with one of them
 * anywhere in its path is written commented out. (go itself never lists `testdata`.)
 */
export const ASIDE_DIRS: readonly string[] = [
  "test",
  "tests",
  "testdata",
  "e2e",
  "example",
  "examples",
  "hack",
  "tools",
];

/** The element of `dir` (project-relative, "/"-separated, "." for the root) that marks a test or tool program. */
export function asideDir(dir: string): string | undefined {
  return dir === "." ? undefined : dir.split("/").find((part) => ASIDE_DIRS.includes(part));
}

/** "./tests/" → "tests": patterns are written the way dray.yaml writes paths, or bare. */
function normalize(pattern: string): string {
  return pattern.replace(/^\.\//, "").replace(/\/+$/, "") || ".";
}

/**
 * A matcher for `--exclude` patterns (globs, matched against the directory of a main package
 * relative to the root): a main is excluded when a pattern matches its directory or a directory
 * above it, so `tests` excludes everything below tests/, as in a .dockerignore.
 */
export function createExcluder(patterns: readonly string[]): (dir: string) => string | undefined {
  const matchers = patterns.map((pattern) => ({
    pattern,
    match: picomatch(normalize(pattern), { dot: true }),
  }));
  return (dir) => {
    if (dir === ".") return matchers.find((m) => m.match("."))?.pattern;
    const parts = dir.split("/");
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join("/");
      const hit = matchers.find((m) => m.match(prefix));
      if (hit) return hit.pattern;
    }
    return undefined;
  };
}
