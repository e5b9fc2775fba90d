/** Where a Go service's main package lives: its module root and its path inside it. */
import { existsSync } from "node:fs";
import path from "node:path";

/** Where a Go service's package lives in its module. */
export interface GoTarget {
  /** Directory holding the go.mod that the package belongs to. */
  readonly moduleRoot: string;
  /** The package relative to the module root, as `go build` wants it: "./services/api". */
  readonly relPackage: string;
  readonly importPath: string;
}

/** Walk up from `dir` to the nearest go.mod, not above `stop`. */
export function findModuleRoot(dir: string, stop: string): string | undefined {
  let current = dir;
  for (;;) {
    if (existsSync(path.join(current, "go.mod"))) return current;
    const parent = path.dirname(current);
    if (current === stop || parent === current) return undefined;
    current = parent;
  }
}
