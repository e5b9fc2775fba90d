/** Running `go list -deps` for a group of main packages that share a module, platform and build settings. */
import path from "node:path";
import { runGoList } from "./go-list.js";

/** The fields of `go list -json` that decide what a build reads. */
export interface ListedPackage {
  ImportPath: string;
  Name?: string;
  Dir?: string;
  Standard?: boolean;
  Module?: {
    Path: string;
    Version?: string;
    Main?: boolean;
    Dir?: string;
    Replace?: { Path: string; Version?: string; Dir?: string };
  };
  GoFiles?: string[];
  CgoFiles?: string[];
  CFiles?: string[];
  CXXFiles?: string[];
  HFiles?: string[];
  SFiles?: string[];
  SysoFiles?: string[];
  EmbedFiles?: string[];
  Deps?: string[];
  Error?: { Err?: string };
  DepsErrors?: { Err?: string }[];
}

const FIELDS =
  "ImportPath,Name,Dir,Standard,Module,GoFiles,CgoFiles,CFiles,CXXFiles,HFiles,SFiles,SysoFiles,EmbedFiles,Deps,Error,DepsErrors";

/** `go list -e -deps` of `packages` ("./services/api" style) in `moduleRoot` under `env`. */
export async function goListDeps(
  go: string,
  moduleRoot: string,
  packages: readonly string[],
  env: NodeJS.ProcessEnv,
  tags: readonly string[],
): Promise<ListedPackage[]> {
  const args = ["-e", "-deps", `-json=${FIELDS}`];
  if (tags.length > 0) args.push(`-tags=${[...tags].sort().join(",")}`);
  return parseJsonStream(await runGoList({ go, cwd: moduleRoot, env }, [...args, ...packages]));
}

/** `go list -json` prints concatenated JSON objects, not an array. */
export function parseJsonStream(text: string): ListedPackage[] {
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

/** The source files of a listed package that the compiler (or go:embed) reads, relative to its Dir. */
export function packageFiles(pkg: ListedPackage, cgo: boolean): string[] {
  const files = [
    ...(pkg.GoFiles ?? []),
    ...(pkg.SFiles ?? []),
    ...(pkg.SysoFiles ?? []),
    ...(pkg.HFiles ?? []),
    ...(pkg.EmbedFiles ?? []),
  ];
  // With CGO_ENABLED=0 the cgo files are excluded by the build constraint and `go list` moves them to
  // IgnoredGoFiles, so these lists are empty unless cgo is on; include them for cgo builds.
  if (cgo) files.push(...(pkg.CgoFiles ?? []), ...(pkg.CFiles ?? []), ...(pkg.CXXFiles ?? []));
  return [...new Set(files)].sort();
}

/** `dir` relative to `root`, "/"-separated, or undefined when it is outside. */
export function relativeInside(root: string, dir: string): string | undefined {
  const rel = path.relative(root, dir);
  if (rel === "") return ".";
  if (rel.startsWith("..") || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join("/");
}
