/** Where a Go service's main package lives: its module root and its path inside it. */
import { existsSync } from "node:fs";
import path from "node:path";

/** Where a service's main package lives: what `go build` is run in and given, and its import path. */
export interface GoMain {
  /** Directory holding the go.mod that the package belongs to. */
  readonly moduleRoot: string;
  /** The package relative to the module root, as `go build` wants it: "./services/api". */
  readonly relPackage: string;
  /** "example.com/shop/services/api", as `go list` reports it. */
  readonly importPath: string;
  /**
   * How go runs in the module (GOFLAGS with `-mod` decided, GOWORK; see module-mode.ts), set over
   * the caller's environment by every compile. Absent: the environment as it is.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Walk up from `dir` to the nearest go.mod, not above `stop`. `known` remembers the answer for every
 * directory passed on the way (for this `stop`): the services of a monorepo share their parents, and
 * asking the disk again for each one's was a storm of failed stats.
 */
export function findModuleRoot(
  dir: string,
  stop: string,
  known?: Map<string, string | undefined>,
): string | undefined {
  const passed: string[] = [];
  let current = dir;
  let found: string | undefined;
  for (;;) {
    if (known?.has(current)) {
      found = known.get(current);
      break;
    }
    passed.push(current);
    if (existsSync(path.join(current, "go.mod"))) {
      found = current;
      break;
    }
    const parent = path.dirname(current);
    if (current === stop || parent === current) break;
    current = parent;
  }
  if (known) for (const p of passed) known.set(p, found);
  return found;
}

/** `packageDir` (absolute) as `go build` takes it inside `moduleRoot`: "./services/api", or "." for the root. */
export function relativePackage(moduleRoot: string, packageDir: string): string {
  return `./${path.relative(moduleRoot, packageDir).split(path.sep).join("/")}`.replace(/\/$/, "");
}
