/**
 * Finds the services of a Go monorepo: every module below the root (nested go.mod files, go.work
 * workspaces, vendored or not), how go runs in each, and their `main` packages, each with a
 * service name that is valid in dray.yaml and unique. A module without mains adds no services and
 * never stops discovery.
 */
import path from "node:path";
import { UserError } from "../errors/index.js";
import {
  type CgoUse,
  findGoModules,
  findGoToolchain,
  type GoOptions,
  type GoPackage,
  listCgoUse,
  listPackages,
  type ResolvedGoModule,
  resolveGoModule,
  toolchainTooOld,
  type VendorKind,
} from "../go/index.js";
import { mayHoldMains } from "./main-files.js";
import { nameServices } from "./names.js";
import { asideDir, createExcluder } from "./select.js";

/** A Go main package found under the root. */
export interface MainPackage {
  /** Service name for dray.yaml (see names.ts). */
  name: string;
  /** The directory relative to the root, as dray.yaml's `go:` takes it: "./services/api", or "." for the root. */
  package: string;
  /** Path of the module the package belongs to, e.g. "example.com/shop". */
  module: string;
  importPath: string;
  /** The directory name that marks a test or tool program ("tests"): written commented out. */
  aside?: string;
  /** Set when a package of its closure has cgo files: dray.yaml then gets `cgo: true`. */
  cgo?: CgoUse;
}

/** A Go module found under the root, and how go runs in it. */
export interface FoundModule {
  /** "." or "./tools", relative to the root. */
  dir: string;
  /** The module path ("" when go.mod has no module line). */
  path: string;
  goVersion: string | undefined;
  /** The vendor directory beside go.mod. */
  vendor: VendorKind;
  /** The go.work it is built in, relative to the root ("./go.work"), if any. */
  workspace: string | undefined;
  /** The -mod go runs with there. */
  mod: string;
  /** When the environment asked for something that does not apply to this module. */
  note: string | undefined;
  /** Main packages found in it, excluded ones included. */
  mains: number;
  /** Why it was not listed (it holds no main package, and go cannot list it), if it was not. */
  skipped: string | undefined;
}

/** What discovery found: modules, mains to write (sorted by directory), mains the user excluded. */
export interface Discovery {
  modules: FoundModule[];
  mains: MainPackage[];
  excluded: { package: string; pattern: string }[];
}

/** What to discover with. */
export interface DiscoverOptions extends GoOptions {
  /** `--exclude` globs, matched against main packages' directories (see select.ts). */
  exclude?: readonly string[];
  /** Service names already in use (an existing dray.yaml's). */
  taken?: Iterable<string>;
}

/** "./services/api" from an absolute directory below `root`. */
function relativeDir(root: string, dir: string): string {
  const relative = path.relative(root, dir).split(path.sep).join("/");
  return relative === "" ? "." : `./${relative}`;
}

/** A module to list, or to skip with the reason (it holds no main package, and go cannot list it). */
interface Pending {
  module: ResolvedGoModule;
  skipped?: string;
}

/** The modules, each resolved; a module that needs a newer Go stops discovery only if it may hold mains. */
async function resolveAll(root: string, env: NodeJS.ProcessEnv, goversion: string): Promise<Pending[]> {
  const out: Pending[] = [];
  const unmet = [];
  for (const dir of await findGoModules(root)) {
    const module = await resolveGoModule(dir, root, env, goversion);
    if (module.unmet.length === 0) out.push({ module });
    else if (await mayHoldMains(dir)) unmet.push(...module.unmet);
    else out.push({ module, skipped: `needs Go ${module.unmet[0]!.version}, the toolchain is ${goversion}` });
  }
  if (unmet.length > 0) throw toolchainTooOld(goversion, unmet);
  return out;
}

/** The module's main packages; a module go cannot list is skipped when it holds no main package. */
async function listMains(
  module: ResolvedGoModule,
  go: string,
  env: NodeJS.ProcessEnv,
): Promise<{ mains: GoPackage[]; skipped?: string }> {
  let packages: GoPackage[];
  try {
    packages = await listPackages(module.layout.root, { go, env }, module.mode.env);
  } catch (error) {
    if (error instanceof UserError && !(await mayHoldMains(module.layout.root)))
      return { mains: [], skipped: "go list fails in it" };
    throw error;
  }
  // In a workspace, `./...` of an outer module also reaches modules nested in it: each lists its own.
  const mains = packages.filter(
    (p) => p.name === "main" && (module.layout.path === "" || p.module === module.layout.path),
  );
  return { mains };
}

/** Every Go module under `root`, and the main packages to write into dray.yaml. */
export async function discoverGoProject(root: string, options: DiscoverOptions = {}): Promise<Discovery> {
  const absoluteRoot = path.resolve(root);
  const env = options.env ?? process.env;
  const toolchain = await findGoToolchain(options.go ? { ...env, DRAY_GO: options.go } : env);
  const excluder = createExcluder(options.exclude ?? []);
  const modules: FoundModule[] = [];
  const found: Omit<MainPackage, "name">[] = [];
  const excluded: Discovery["excluded"] = [];
  // One module at a time: go list is itself parallel, and errors then come in a stable order.
  for (const pending of await resolveAll(absoluteRoot, env, toolchain.version)) {
    const { module } = pending;
    const listed = pending.skipped
      ? { mains: [], skipped: pending.skipped }
      : await listMains(module, toolchain.go, env);
    const mains = listed.mains;
    // cgo: which mains need it (one more `go list`, only for a module that has mains).
    const cgo =
      mains.length > 0
        ? await listCgoUse(module.layout.root, { go: toolchain.go, env }, module.mode.env)
        : new Map<string, CgoUse>();
    for (const pkg of mains) {
      const dir = relativeDir(absoluteRoot, pkg.dir);
      const bare = dir === "." ? "." : dir.slice(2);
      const pattern = excluder(bare);
      if (pattern !== undefined) {
        excluded.push({ package: dir, pattern });
        continue;
      }
      const aside = asideDir(bare);
      found.push({
        package: dir,
        module: pkg.module,
        importPath: pkg.importPath,
        ...(aside ? { aside } : {}),
        ...(cgo.has(path.resolve(pkg.dir)) ? { cgo: cgo.get(path.resolve(pkg.dir))! } : {}),
      });
    }
    const { layout, mode } = module;
    modules.push({
      dir: relativeDir(absoluteRoot, layout.root),
      path: layout.path,
      goVersion: layout.goVersion,
      vendor: layout.vendor,
      workspace: mode.workspace ? relativeDir(absoluteRoot, mode.workspace) : undefined,
      mod: mode.mod,
      note: mode.note,
      mains: mains.length,
      skipped: listed.skipped,
    });
  }
  found.sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
  const names = nameServices(
    found.map((p) => ({ importPath: p.importPath, modulePath: p.module })),
    options.taken,
  );
  return { modules, mains: found.map((p, i) => ({ name: names[i]!, ...p })), excluded };
}
