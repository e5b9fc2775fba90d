/**
 * Which main packages need cgo, from `go list` facts: a package of the main's closure (outside the
 * standard library, whose cgo is optional) with cgo files — above all one whose Go files all use
 * cgo, which a build with cgo off leaves out entirely ("build constraints exclude all Go files").
 */
import path from "node:path";
import { runGoList } from "./go-list.js";
import type { GoOptions } from "./list-packages.js";
import { goCommand } from "./toolchain.js";

/** What `go list` says of one package, listed with cgo on. */
export interface CgoFacts {
  importPath: string;
  /** The package clause: "main" for a command. */
  name: string;
  /** Absolute directory. */
  dir: string;
  standard: boolean;
  /** Go files that build without cgo. */
  goFiles: number;
  /** Go files that `import "C"`. */
  cgoFiles: number;
  /** Import paths of every dependency. */
  deps: readonly string[];
}

/** A main package's use of cgo: the packages of its closure with cgo files, and those with nothing else. */
export interface CgoUse {
  /** Packages with cgo files, sorted. */
  packages: string[];
  /** Of those, the ones whose Go files all use cgo: without cgo they do not exist. */
  only: string[];
}

/** How `main` (an import path) uses cgo, or undefined when nothing in its closure does. Pure. */
export function needsCgo(main: string, listing: ReadonlyMap<string, CgoFacts>): CgoUse | undefined {
  const root = listing.get(main);
  if (!root) return undefined;
  const closure = [root, ...root.deps.map((d) => listing.get(d)).filter((p) => p !== undefined)];
  const users = closure.filter((p) => !p.standard && p.cgoFiles > 0);
  if (users.length === 0) return undefined;
  const sorted = (list: CgoFacts[]) => list.map((p) => p.importPath).sort();
  return { packages: sorted(users), only: sorted(users.filter((p) => p.goFiles === 0)) };
}

// Tab-separated, dependencies space-separated: none of these can hold a tab or a space.
const FORMAT =
  '{{.ImportPath}}\t{{.Name}}\t{{.Dir}}\t{{.Standard}}\t{{len .GoFiles}}\t{{len .CgoFiles}}\t{{join .Deps " "}}';

/** Parses the lines FORMAT prints. */
export function parseCgoFacts(stdout: string): Map<string, CgoFacts> {
  const out = new Map<string, CgoFacts>();
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const [importPath = "", name = "", dir = "", standard, goFiles, cgoFiles, deps = ""] = line.split("\t");
    out.set(importPath, {
      importPath,
      name,
      dir,
      standard: standard === "true",
      goFiles: Number(goFiles),
      cgoFiles: Number(cgoFiles),
      deps: deps.split(" ").filter((d) => d !== ""),
    });
  }
  return out;
}

/**
 * The cgo use of every main package of the module in `moduleDir`, by its absolute directory: one
 * `go list -deps ./...` with cgo on (as the user's own `go build` on this machine would have it).
 */
export async function listCgoUse(
  moduleDir: string,
  options: GoOptions = {},
  moduleEnv: Readonly<Record<string, string>> = { GOWORK: "off" },
): Promise<Map<string, CgoUse>> {
  const base = options.env ?? process.env;
  // Listing needs no C compiler, so cgo can be on even where none is installed. The module's own
  // settings (-mod, GOWORK) as discovery decided them, and a toolchain that is never downloaded.
  const env = { ...base, ...moduleEnv, GOTOOLCHAIN: "local", CGO_ENABLED: "1" };
  const go = options.go ?? goCommand(base);
  const listing = parseCgoFacts(
    await runGoList({ go, cwd: moduleDir, env }, ["-e", "-deps", "-f", FORMAT, "./..."]),
  );
  const out = new Map<string, CgoUse>();
  for (const pkg of listing.values()) {
    if (pkg.name !== "main" || pkg.standard) continue;
    const use = needsCgo(pkg.importPath, listing);
    if (use) out.set(path.resolve(pkg.dir), use);
  }
  return out;
}
