/** The package closure of every Go service and platform, listed in groups and cached. */
import { createHash } from "node:crypto";
import path from "node:path";
import type { GoService, ResolvedConfig } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import {
  buildTags,
  failureHints,
  findGoToolchain,
  findModuleRoot,
  type GoMain,
  type GoToolchain,
  goPlatformEnv,
  listGroup,
  type ResolvedGoModule,
  relativePackage,
  resolveGoModule,
  type StoredMain,
  type StoredPackage,
  toolchainTooOld,
} from "../go/index.js";
import type { Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import type { Tracer } from "../report/index.js";
import type { GoGraph, GoPackageInfo } from "./types.js";

/** One Go service on one platform: where it is built from and every package it compiles. */
export interface GoServiceListing {
  service: GoService;
  platform: Platform;
  /** Where its main package lives. */
  main: GoMain;
  /** The closure: every dependency plus the main package itself. */
  packages: StoredPackage[];
}

/** Options shared by the listing functions. */
export interface ListOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  toolchain: GoToolchain;
  /** `.dray/cache`; undefined lists without caching (e.g. in a throwaway checkout). */
  cacheDir: string | undefined;
  locate: (p: readonly (string | number)[]) => string;
  tracer?: Tracer;
}

/** "api linux/amd64" */
export function listingKey(service: string, platform: Platform): string {
  return `${service} ${platformName(platform)}`;
}

/**
 * List every service × platform. Problems that make a service unbuildable (no go.mod, not a main
 * package, a package that does not load) are collected and thrown together as one UserError.
 */
export async function listGoServices(
  services: readonly GoService[],
  options: ListOptions,
): Promise<Map<string, GoServiceListing>> {
  const problems: string[] = [];
  // Problems `go build` would show as well, which a hint can say how to fix (cgo, build tags).
  const explainable: Explainable[] = [];
  const groups = new Map<string, { moduleRoot: string; platform: Platform; members: GoService[] }>();
  const moduleRoots = new Map<string, string | undefined>();
  for (const service of services) {
    const moduleRoot = findModuleRoot(service.packageDir, options.root, moduleRoots);
    if (!moduleRoot) {
      problems.push(
        `${options.locate(["services", service.name, "go"])}  service ${service.name}: no go.mod found in ${service.package} or above it inside the project`,
      );
      continue;
    }
    for (const platform of service.platforms) {
      // The tags the build is given (a static cgo link adds two), so the listing sees the files it compiles.
      const id = [moduleRoot, platformName(platform), service.cgo, buildTags(service).join(",")].join("\0");
      const group = groups.get(id) ?? { moduleRoot, platform, members: [] };
      group.members.push(service);
      groups.set(id, group);
    }
  }

  const modules = await resolveModules([...new Set([...groups.values()].map((g) => g.moduleRoot))], options);
  const out = new Map<string, GoServiceListing>();
  await Promise.all(
    [...groups].map(async ([groupId, group]) => {
      const first = group.members[0]!;
      const module = modules.get(group.moduleRoot)!;
      const moduleEnv = module.mode.env;
      // What go is run with in the module is part of the cache's name: another GOFLAGS or
      // GOEXPERIMENT may select other files, so it must not reuse this listing.
      const id = [groupId, moduleEnv.GOFLAGS, moduleEnv.GOWORK, options.env["GOEXPERIMENT"] ?? ""].join("\0");
      const rels = group.members.map((s) => relativePackage(group.moduleRoot, s.packageDir));
      const listing = await listGroup({
        root: options.root,
        moduleRoot: group.moduleRoot,
        mains: [...new Set(rels)],
        env: { ...options.env, ...moduleEnv, ...goPlatformEnv(first, group.platform) },
        tags: buildTags(first),
        cgo: first.cgo,
        go: options.toolchain.go,
        toolchain: options.toolchain.version,
        cacheFile: options.cacheDir
          ? path.join(
              options.cacheDir,
              "go-list",
              `${createHash("sha256").update(id).digest("hex").slice(0, 24)}.json`,
            )
          : undefined,
        moduleFiles: workspaceFiles(module.mode.workspace),
      });
      group.members.forEach((service, i) => {
        const listed = listing.mains[rels[i]!]!;
        const packages = closure(listed, listing.packages);
        const broken = packages.find((p) => p.error);
        const problem = listed.error
          ? listed.error
          : listed.name !== "main"
            ? `${service.package} is package ${listed.name}, not a main package`
            : broken
              ? `${broken.importPath}: ${broken.error}`
              : undefined;
        if (problem) {
          const where = `${options.locate(["services", service.name, "go"])}  service ${service.name}`;
          problems.push(`${where}: ${problem}`);
          if (/build constraints exclude all Go files/.test(problem))
            explainable.push({
              service,
              platform: group.platform,
              main: { moduleRoot: group.moduleRoot, relPackage: rels[i]! },
              problem,
            });
          return;
        }
        out.set(listingKey(service.name, group.platform), {
          service,
          platform: group.platform,
          main: {
            moduleRoot: group.moduleRoot,
            relPackage: rels[i]!,
            importPath: listed.importPath,
            env: moduleEnv,
          },
          packages,
        });
      });
    }),
  );
  if (problems.length > 0) {
    const unique = [...new Set(problems)].sort();
    // One platform's reproduction is enough: the same problem on the next platform adds nothing.
    const firsts = explainable.filter((e, i) => explainable.findIndex((o) => o.service === e.service) === i);
    const hints = await explain(firsts, options);
    const generic =
      "`go:` must name the directory of a `package main` inside a Go module (run `dray init` to list them).";
    throw new UserError(
      unique.length === 1 ? "a Go service cannot be built" : `${unique.length} Go service problems`,
      {
        exitCode: ExitCode.usage,
        details: unique.join("\n"),
        hint: [...hints, ...(explainable.length < problems.length ? [generic] : [])].join("\n"),
      },
    );
  }
  return out;
}

/** The main package and its dependencies, as listed (a dependency the listing did not report is left out). */
function closure(main: StoredMain, packages: Readonly<Record<string, StoredPackage>>): StoredPackage[] {
  const out: StoredPackage[] = [];
  const own = packages[main.importPath];
  if (own !== undefined) out.push(own);
  for (const dep of main.deps) {
    const pkg = packages[dep];
    if (pkg !== undefined) out.push(pkg);
  }
  return out;
}

/**
 * Each module's layout and mode (see src/go/module-mode.ts). A module whose go line the toolchain
 * does not meet stops the run before go is asked anything (exit 3).
 */
async function resolveModules(
  roots: readonly string[],
  options: ListOptions,
): Promise<Map<string, ResolvedGoModule>> {
  const resolved = await Promise.all(
    roots.map((root) => resolveGoModule(root, options.root, options.env, options.toolchain.version)),
  );
  const unmet = resolved.flatMap((m) => m.unmet);
  if (unmet.length > 0) throw toolchainTooOld(options.toolchain.version, unmet);
  return new Map(roots.map((root, i) => [root, resolved[i]!]));
}

/** A workspace's files that decide what its modules list: go.work itself and its vendor/modules.txt. */
function workspaceFiles(workFile: string | undefined): string[] {
  if (workFile === undefined) return [];
  const dir = path.dirname(workFile);
  return [workFile, `${workFile}.sum`, path.join(dir, "vendor", "modules.txt")];
}

/** A listing problem `go build` would have too, with what is needed to say how to fix it. */
interface Explainable {
  service: GoService;
  platform: Platform;
  main: { moduleRoot: string; relPackage: string };
  problem: string;
}

/** The hints for `explainable` problems, each once: the dray.yaml key to change and a command that reproduces it. */
async function explain(explainable: readonly Explainable[], options: ListOptions): Promise<string[]> {
  const hints = await Promise.all(
    explainable.map((e) =>
      failureHints(e.service, e.main, e.platform, e.problem, {
        toolchain: options.toolchain,
        env: options.env,
        locate: (service, key) => options.locate(["services", service, key]),
      }),
    ),
  );
  return [...new Set(hints.flat())];
}

/** The package graph for `dray graph`: every Go service's closure on one platform (default: each service's first). */
export async function loadGoGraph(
  config: ResolvedConfig,
  options: { env: NodeJS.ProcessEnv; platform?: Platform; tracer?: Tracer },
): Promise<GoGraph> {
  const wanted = options.platform ? platformName(options.platform) : undefined;
  const services = config.services
    .filter((s): s is GoService => s.kind === "go")
    // A service that is not built for the asked platform has no closure on it.
    .filter((s) => !wanted || s.platforms.some((p) => platformName(p) === wanted))
    .map((s) => ({ ...s, platforms: [options.platform ?? s.platforms[0]!] }));
  const toolchain = await findGoToolchain(options.env);
  const listings = await listGoServices(services, {
    root: config.root,
    env: options.env,
    toolchain,
    cacheDir: config.state.cache,
    locate: config.locate,
    ...(options.tracer ? { tracer: options.tracer } : {}),
  });
  const packages = new Map<string, GoPackageInfo>();
  const closures = new Map<string, string[]>();
  for (const listing of listings.values()) {
    closures.set(
      listing.service.name,
      listing.packages.map((p) => p.importPath),
    );
    for (const p of listing.packages) {
      packages.set(p.importPath, {
        importPath: p.importPath,
        dir: p.dir,
        standard: p.standard,
        module: p.module && !p.module.main ? p.module.path : undefined,
      });
    }
  }
  return { packages, closures };
}
