/**
 * Asks the Go toolchain which packages a module has: `go list` knows the build rules (build tags,
 * _test files, ignored directories), so dray does not guess package names from files.
 */
import { runGoList } from "./go-list.js";
import { goCommand } from "./toolchain.js";

/** One package as `go list` reports it. */
export interface GoPackage {
  /** The package clause: "main" for a command. */
  name: string;
  importPath: string;
  /** Absolute directory. */
  dir: string;
  /** The module path ("example.com/shop"). */
  module: string;
}

/** How to run Go. */
export interface GoOptions {
  /** The go binary; default DRAY_GO from `env`, else "go" from PATH. */
  go?: string;
  /** Environment for go; default process.env. */
  env?: NodeJS.ProcessEnv;
}

// Tab-separated: none of these fields can hold a tab.
const FORMAT = "{{.Name}}\t{{.ImportPath}}\t{{.Dir}}\t{{with .Module}}{{.Path}}{{end}}";

function parse(stdout: string): GoPackage[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const [name = "", importPath = "", dir = "", module = ""] = line.split("\t");
      return { name, importPath, dir, module };
    });
}

/**
 * Lists the packages of the module in `moduleDir` (`go list ./...`). `-e` keeps one package with
 * a broken import from hiding the others: its name is read from the package clause regardless.
 * `moduleEnv` is how go must run in this module (GOFLAGS, GOWORK: see module-mode.ts).
 */
export async function listPackages(
  moduleDir: string,
  options: GoOptions = {},
  moduleEnv: Readonly<Record<string, string>> = { GOWORK: "off" },
): Promise<GoPackage[]> {
  const base = options.env ?? process.env;
  // GOTOOLCHAIN=local: a newer go line is dray's error to report (see toolchain.ts), not a download.
  const env = { ...base, ...moduleEnv, GOTOOLCHAIN: "local" };
  const go = options.go ?? goCommand(base);
  return parse(await runGoList({ go, cwd: moduleDir, env }, ["-e", "-f", FORMAT, "./..."]));
}
