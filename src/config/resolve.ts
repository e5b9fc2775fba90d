/**
 * Turns a validated dray.yaml into the ResolvedConfig every later stage reads: defaults applied,
 * paths absolute, values in one form, services sorted by name, everything frozen. Pure: the
 * checks that can fail (validation, paths on disk) have run before.
 */

import path from "node:path";
import { compareCodeUnits, type PlatformName, parsePlatform } from "../oci/index.js";
import { argv, baseForm, fileParts, portKey, textMap } from "./normalize.js";
import { resolveDeploy, resolveLive } from "./resolve-deploy.js";
import { resolveRegistryBase, resolveRegistryTarget } from "./resolve-registry.js";
import { resolveSupplyChain } from "./resolve-supply-chain.js";
import { resolveTargets } from "./resolve-targets.js";
import type { BaseConfig, CommandServiceConfig, GoServiceConfig, UserConfig } from "./schema.js";
import { statePaths } from "./state-paths.js";
import type {
  BaseRef,
  ConfigPath,
  ImageSettings,
  RegistryTarget,
  ResolvedConfig,
  ResolvedService,
} from "./types.js";

/** Platforms used when neither the service nor the project lists any. */
const DEFAULT_PLATFORMS: readonly PlatformName[] = ["linux/amd64"];

/** What resolution needs besides the config itself. */
export interface ResolveContext {
  /** Absolute directory of dray.yaml. */
  root: string;
  /** Absolute path of dray.yaml. */
  file: string;
  /** Already chosen between the file and the environment. */
  sourceDateEpoch: number;
  locate: (path: ConfigPath) => string;
}

type Service = GoServiceConfig | CommandServiceConfig;

/** What every service's resolution shares: the config as written and the project-wide settings. */
interface Project {
  config: UserConfig;
  root: string;
  registry: RegistryTarget | undefined;
}

function resolveBase(base: BaseConfig, { root, registry }: Project): BaseRef {
  const form = baseForm(base);
  if (form.kind === "layout")
    return { kind: "layout", layout: path.resolve(root, form.layout), ref: form.ref };
  return form.kind === "registry" ? resolveRegistryBase(form, root, registry) : form;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function imageSettings(service: Service, defaultEntrypoint: string[] | undefined): ImageSettings {
  return {
    entrypoint: service.entrypoint === undefined ? defaultEntrypoint : argv(service.entrypoint),
    args: service.args === undefined ? undefined : argv(service.args),
    env: textMap(service.env),
    ports: unique((service.ports ?? []).map(portKey)),
    user: service.user === undefined ? undefined : String(service.user),
    labels: textMap(service.labels),
    workdir: service.workdir === undefined ? undefined : path.posix.normalize(service.workdir),
  };
}

/**
 * The parts every service has, given the directory its files come from and its default
 * entrypoint (a Go service's binary; none for a command service).
 */
function common(
  name: string,
  service: Service,
  project: Project,
  context: string,
  defaultEntrypoint: string[] | undefined,
) {
  const { config, root } = project;
  const platforms: readonly PlatformName[] = service.platforms ?? config.platforms ?? DEFAULT_PLATFORMS;
  const image = imageSettings(service, defaultEntrypoint);
  return {
    name,
    context,
    image,
    deploy: resolveDeploy(service.deploy, image),
    live: resolveLive(service.live, root),
    dependsOn: unique(service.dependsOn ?? []).sort(compareCodeUnits),
    platforms: platforms.map(parsePlatform),
    base: resolveBase(service.base ?? config.base ?? "scratch", project),
    files: (service.files ?? []).map(fileParts).map(({ from, to }) => ({
      from: path.resolve(context, from),
      to: path.posix.normalize(to),
    })),
    annotations: textMap(service.annotations),
  };
}

/** "./services/api" for a directory below the root: the form `go build` takes as a package path. */
function packagePattern(root: string, dir: string): string {
  const relative = path.relative(root, dir).split(path.sep).join("/");
  if (relative === "") return ".";
  return relative.startsWith("../") ? relative : `./${relative}`;
}

function resolveService(name: string, service: Service, project: Project): ResolvedService {
  const { root } = project;
  if ("go" in service) {
    const context = path.resolve(root, service.context ?? ".");
    const packageDir = path.resolve(root, service.go);
    const binaryPath = path.posix.normalize(service.binary ?? `/app/${name}`);
    return {
      kind: "go",
      ...common(name, service, project, context, [binaryPath]),
      package: packagePattern(root, packageDir),
      packageDir,
      binaryPath,
      cgo: service.cgo === true || service.cgo === "dynamic",
      link: service.cgo === "dynamic" ? "dynamic" : "static",
      debug: service.debug ?? false,
      ldflags: [...(service.ldflags ?? [])],
      tags: [...(service.tags ?? [])],
    };
  }
  const context = path.resolve(root, service.dir);
  return {
    kind: "command",
    ...common(name, service, project, context, undefined),
    // A string is a shell command line, so users can write pipes and && as they would in a terminal.
    command: typeof service.command === "string" ? ["sh", "-c", service.command] : [...service.command],
    output: path.resolve(context, service.output ?? "dist"),
    to: path.posix.normalize(service.to ?? "/app"),
    buildEnv: textMap(service.buildEnv),
    inputs: [...(service.inputs ?? ["**/*"])],
  };
}

/** Freezes the config all the way down: stages share one ResolvedConfig and must not edit it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Resolves a validated config; pure. */
export function resolveConfig(config: UserConfig, context: ResolveContext): ResolvedConfig {
  const registry = resolveRegistryTarget(config.registry, context.root);
  const project: Project = { config, root: context.root, registry };
  const services = Object.entries(config.services)
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([name, service]) => resolveService(name, service, project));
  return deepFreeze({
    root: context.root,
    file: context.file,
    state: statePaths(context.root),
    project: config.project,
    ...(registry === undefined ? {} : { registry }),
    cache: config.cache ?? "local",
    sourceDateEpoch: context.sourceDateEpoch,
    services,
    targets: resolveTargets(config.targets, config.project, context.root, (name) => ({
      deploy: config.services[name]?.deploy,
      image: services.find((s) => s.name === name)!.image,
    })),
    ...resolveSupplyChain(config, context.root),
    locate: context.locate,
  });
}
