/**
 * Asks the Go toolchain which packages a module has: `go list` knows the build rules (build tags,
 * _test files, ignored directories), so dray does not guess package names from files.
 */
import { execFile } from "node:child_process";
import { ExitCode, UserError } from "../errors/errors.js";

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
  /** The go binary; default "go" from PATH. */
  go?: string;
  /** Environment for go; default process.env. */
  env?: NodeJS.ProcessEnv;
}

// Tab-separated: none of these fields can hold a tab.
const FORMAT = "{{.Name}}\t{{.ImportPath}}\t{{.Dir}}\t{{with .Module}}{{.Path}}{{end}}";

/** The UserError for a machine without Go. */
export function goNotFound(go: string): UserError {
  const where = go.includes("/") ? `at ${go}` : `(no ${go} on PATH)`;
  return new UserError(`Go was not found ${where}`, {
    exitCode: ExitCode.environment,
    hint: "Install Go 1.21 or newer (on Debian or Ubuntu: `apt-get install golang-go`) and make sure `go` is on your PATH.",
  });
}

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
 */
export function listPackages(moduleDir: string, options: GoOptions = {}): Promise<GoPackage[]> {
  const go = options.go ?? "go";
  // GOWORK=off: each module is listed on its own; a go.work that omits one would make go refuse it.
  const env = { ...(options.env ?? process.env), GOWORK: "off" };
  const args = ["list", "-e", "-f", FORMAT, "./..."];
  return new Promise((resolve, reject) => {
    execFile(
      go,
      args,
      { cwd: moduleDir, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve(parse(stdout));
          return;
        }
        if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          reject(goNotFound(go));
          return;
        }
        const details = stderr.trim() || error.message;
        reject(
          new UserError(`go list failed in ${moduleDir}`, {
            exitCode: ExitCode.failed,
            details,
            hint: "Fix the module so that `go list ./...` succeeds in it, then run dray again.",
            cause: error,
          }),
        );
      },
    );
  });
}
