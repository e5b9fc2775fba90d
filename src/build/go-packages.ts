/** Checking, before anything compiles, that every Go service names a main package of a module. */
import { existsSync } from "node:fs";
import path from "node:path";
import type { GoService } from "../config/types.js";
import { ExitCode, UserError } from "../errors.js";
import { exec } from "../util/exec.js";
import type { GoToolchain } from "./go-toolchain.js";

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

interface ListedPackage {
  Dir?: string;
  ImportPath?: string;
  Name?: string;
  Error?: { Err?: string };
}

/**
 * Resolve every Go service to its module and package with one `go list` per module,
 * failing with every problem at once: no go.mod, a package that does not build, one that is not main.
 */
export async function resolveGoTargets(
  toolchain: GoToolchain,
  services: readonly GoService[],
  options: { root: string; env: NodeJS.ProcessEnv; locate: (p: readonly (string | number)[]) => string },
): Promise<Map<string, GoTarget>> {
  const problems: string[] = [];
  const byModule = new Map<string, GoService[]>();
  for (const service of services) {
    const moduleRoot = findModuleRoot(service.packageDir, options.root);
    if (!moduleRoot) {
      problems.push(
        `${options.locate(["services", service.name, "go"])}  service ${service.name}: no go.mod found in ${service.package} or above it inside the project`,
      );
      continue;
    }
    byModule.set(moduleRoot, [...(byModule.get(moduleRoot) ?? []), service]);
  }

  const targets = new Map<string, GoTarget>();
  for (const [moduleRoot, members] of byModule) {
    const rels = members.map((s) => `./${path.relative(moduleRoot, s.packageDir).split(path.sep).join("/")}`);
    const listed = await listPackages(toolchain, moduleRoot, rels, options.env);
    members.forEach((service, i) => {
      const pkg = listed.get(path.resolve(service.packageDir));
      const where = `${options.locate(["services", service.name, "go"])}  service ${service.name}`;
      if (!pkg || pkg.Error?.Err) {
        problems.push(`${where}: ${pkg?.Error?.Err?.trim() ?? `go list did not report ${service.package}`}`);
      } else if (pkg.Name !== "main") {
        problems.push(`${where}: ${service.package} is package ${pkg.Name}, not a main package`);
      } else {
        targets.set(service.name, { moduleRoot, relPackage: rels[i]!, importPath: pkg.ImportPath ?? "" });
      }
    });
  }
  if (problems.length > 0) {
    throw new UserError(
      problems.length === 1
        ? "a Go service cannot be built"
        : `${problems.length} Go services cannot be built`,
      {
        exitCode: ExitCode.usage,
        details: problems.join("\n"),
        hint: "`go:` must name the directory of a `package main` inside a Go module (run `dray init` to list them).",
      },
    );
  }
  return targets;
}

async function listPackages(
  toolchain: GoToolchain,
  moduleRoot: string,
  packages: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Map<string, ListedPackage>> {
  const result = await exec(toolchain.go, ["list", "-e", "-json=Dir,ImportPath,Name,Error", ...packages], {
    cwd: moduleRoot,
    env: { ...env, GOTOOLCHAIN: "local", GOFLAGS: env["GOFLAGS"] ?? "" },
  });
  if (result.code !== 0 && result.stdout.trim() === "") {
    throw new UserError(`\`go list\` failed in ${moduleRoot}`, {
      exitCode: ExitCode.usage,
      details: result.stderr.trim(),
    });
  }
  const listed = new Map<string, ListedPackage>();
  for (const pkg of parseJsonStream(result.stdout)) {
    if (pkg.Dir) listed.set(path.resolve(pkg.Dir), pkg);
  }
  return listed;
}

/** `go list -json` prints concatenated JSON objects, not an array. */
function parseJsonStream(text: string): ListedPackage[] {
  const out: ListedPackage[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      out.push(JSON.parse(text.slice(start, i + 1)) as ListedPackage);
    }
  }
  return out;
}
