/**
 * The blast radius of a package: how many services a change to it rebuilds and redeploys. Pure:
 * takes the Go package graph, returns plain rows.
 */

import path from "node:path";
import type { GoGraph, GoPackageInfo } from "../fingerprint/index.js";
import { compareCodeUnits } from "../oci/index.js";

/** A project package and the services whose closure contains it. */
export type PackageRadius = {
  importPath: string;
  /** Directory relative to the project root, "/"-separated. */
  dir: string | undefined;
  /** Sorted bytewise. */
  services: string[];
  count: number;
  /** count / number of services in the graph (0 when the graph has none). */
  share: number;
};

/** An external module and the services that depend on some package of it. */
export type ModuleRadius = {
  module: string;
  /** Sorted bytewise. */
  services: string[];
  count: number;
  share: number;
};

/**
 * Every package inside the project (`dir` defined, not vendored) except the services' own main
 * packages, with the services that depend on it; sorted by count descending, then import path.
 * Mains are passed in (see `mainPackages`) because the graph does not say which package of a closure
 * is its root, and a main package's radius is always its one service, which is no news. Vendored
 * packages live in the tree but are nobody's code to edit; `moduleRadius` counts them by module.
 */
export function blastRadius(graph: GoGraph, mains: ReadonlySet<string>): PackageRadius[] {
  const isProject = (importPath: string, info: GoPackageInfo | undefined): info is GoPackageInfo =>
    info?.dir !== undefined && !isVendored(info.dir) && !mains.has(importPath);
  const users = usersBy(graph, (importPath) =>
    isProject(importPath, graph.packages.get(importPath)) ? importPath : undefined,
  );
  const total = graph.closures.size;
  const rows: PackageRadius[] = [];
  for (const [importPath, info] of graph.packages) {
    if (!isProject(importPath, info)) continue;
    const services = sorted(users.get(importPath));
    rows.push({ importPath, dir: info.dir, services, count: services.length, share: ratio(services, total) });
  }
  return rows.sort((a, b) => b.count - a.count || compareCodeUnits(a.importPath, b.importPath));
}

/**
 * Every external module (packages with `module` set) with the services that depend on it, sorted like
 * `blastRadius`: a module bump near the top rebuilds the most services.
 */
export function moduleRadius(graph: GoGraph): ModuleRadius[] {
  const users = usersBy(graph, (importPath) => graph.packages.get(importPath)?.module);
  const total = graph.closures.size;
  return [...users]
    .map(([module, set]) => {
      const services = sorted(set);
      return { module, services, count: services.length, share: ratio(services, total) };
    })
    .sort((a, b) => b.count - a.count || compareCodeUnits(a.module, b.module));
}

/**
 * The import paths of the services' main packages: for each service, the package of its closure
 * whose directory is the service's package directory as written in dray.yaml ("./services/api").
 * `packageDirs` maps service name → that directory; services it does not list are skipped.
 */
export function mainPackages(graph: GoGraph, packageDirs: ReadonlyMap<string, string>): Set<string> {
  const mains = new Set<string>();
  for (const [service, closure] of graph.closures) {
    const dir = packageDirs.get(service);
    if (dir === undefined) continue;
    const wanted = normalizeDir(dir);
    const main = closure.find((importPath) => {
      const info = graph.packages.get(importPath);
      return info?.dir !== undefined && normalizeDir(info.dir) === wanted;
    });
    if (main !== undefined) mains.add(main);
  }
  return mains;
}

/** "./services/api/" → "services/api"; "." and "./" → "" (the project root). */
export function normalizeDir(dir: string): string {
  const normal = path.posix.normalize(dir.replaceAll("\\", "/")).replace(/\/+$/, "");
  return normal === "." ? "" : normal.replace(/^\.\//, "");
}

/** Inside some `vendor/` directory, where `go mod vendor` puts copies of modules. */
function isVendored(dir: string): boolean {
  return `/${normalizeDir(dir)}/`.includes("/vendor/");
}

/** key → services whose closure has a package with that key; packages without a key are skipped. */
function usersBy(
  graph: GoGraph,
  keyOf: (importPath: string) => string | undefined,
): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  for (const [service, closure] of graph.closures) {
    for (const importPath of closure) {
      const key = keyOf(importPath);
      if (key === undefined) continue;
      let set = users.get(key);
      if (!set) {
        set = new Set();
        users.set(key, set);
      }
      set.add(service);
    }
  }
  return users;
}

function sorted(services: ReadonlySet<string> | undefined): string[] {
  return [...(services ?? [])].sort(compareCodeUnits);
}

function ratio(services: readonly string[], total: number): number {
  return total === 0 ? 0 : services.length / total;
}
