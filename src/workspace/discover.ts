/**
 * Finds the services of a Go monorepo: the `main` packages of every module below the root, each
 * with a service name that is valid in dray.yaml and unique.
 */
import path from "node:path";
import { type CgoUse, findGoModules, type GoOptions, listCgoUse, listPackages } from "../go/index.js";
import { nameServices } from "./names.js";

/** A Go main package found under the root. */
export interface MainPackage {
  /** Service name for dray.yaml, from the package's directory. */
  name: string;
  /** The directory relative to the root, as dray.yaml's `go:` takes it: "./services/api", or "." for the root. */
  package: string;
  /** Path of the module the package belongs to, e.g. "example.com/shop". */
  module: string;
  /** Set when a package of its closure has cgo files: dray.yaml then gets `cgo: true`. */
  cgo?: CgoUse;
}

/** "./services/api" from an absolute directory below `root`. */
function relativePackage(root: string, dir: string): string {
  const relative = path.relative(root, dir).split(path.sep).join("/");
  return relative === "" ? "." : `./${relative}`;
}

/** The main packages of every Go module under `root`, sorted by directory. */
export async function discoverGoMainPackages(root: string, options: GoOptions = {}): Promise<MainPackage[]> {
  const absoluteRoot = path.resolve(root);
  const found: { package: string; module: string; cgo?: CgoUse }[] = [];
  // One module at a time: go list is itself parallel, and errors then come in a stable order.
  for (const moduleDir of await findGoModules(absoluteRoot)) {
    const mains = (await listPackages(moduleDir, options)).filter((pkg) => pkg.name === "main");
    // cgo: which mains need it (one more `go list`, only for a module that has mains).
    const cgo = mains.length > 0 ? await listCgoUse(moduleDir, options) : new Map<string, CgoUse>();
    for (const pkg of mains) {
      const use = cgo.get(path.resolve(pkg.dir));
      found.push({
        package: relativePackage(absoluteRoot, pkg.dir),
        module: pkg.module,
        ...(use ? { cgo: use } : {}),
      });
    }
  }
  found.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
  const dirs = found.map((p) => (p.package === "." ? "." : p.package.slice(2)));
  const names = nameServices(dirs, path.basename(absoluteRoot));
  return found.map((p, i) => ({
    name: names[i]!,
    package: p.package,
    module: p.module,
    ...(p.cgo ? { cgo: p.cgo } : {}),
  }));
}
