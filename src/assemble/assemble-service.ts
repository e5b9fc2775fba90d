/** Building one service into an image set: compile (or run its command), pack (uncompressed), assemble. */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { CommandService, ConfigPath, GoService, ResolvedService } from "../config/index.js";
import { runtimeConfigFor } from "../config/index.js";
import type { GoCompiler, GoMain } from "../go/index.js";
import type { Image, ImageSet, Layer, Platform, TarEntry } from "../oci/index.js";
import {
  assembleImage,
  assembleImageSet,
  type BaseImage,
  collectDirectory,
  platformName,
} from "../oci/index.js";
import type { Tracer } from "../report/index.js";
import { createStepClock, type StepClock } from "../report/index.js";
import { runBuildCommand } from "./command-run.js";
import { collectMappings, type LayerSink, makeLayer } from "./layers.js";
import { checkLoaders, type DynamicProgram, dynamicPrograms } from "./loader-check.js";

/** The steps a build reports progress for. */
export type BuildStep = "compile" | "pack" | "write";

/** The steps that happen while assembling an image (writing it is the pipeline's). */
export type AssembleStep = Exclude<BuildStep, "write">;

const ASSEMBLE_STEPS: readonly AssembleStep[] = ["compile", "pack"];

/** Milliseconds per assemble step, for one platform's image. */
export type AssembleTimes = Record<AssembleStep, number>;

/** A service's images and where the time went, per platform name ("linux/amd64"). */
export interface AssembledService {
  readonly set: ImageSet;
  readonly times: ReadonlyMap<string, AssembleTimes>;
}

/** Everything a service build needs from outside: tools, limits, clocks and places. */
export interface ServiceBuildDeps {
  readonly tracer: Tracer;
  readonly env: NodeJS.ProcessEnv;
  readonly sourceDateEpoch: number;
  /** Runs heavy work (compiles, build commands) under the project's concurrency limit. */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Where layers are packed to, and how many at once. */
  readonly layers: LayerSink;
  readonly baseImage: (service: ResolvedService, platform: Platform) => Promise<BaseImage | undefined>;
  readonly go?: { compiler: GoCompiler; mains: ReadonlyMap<string, GoMain> };
  readonly onStep?: (service: string, platform: string, step: BuildStep) => void;
  readonly signal?: AbortSignal;
  /** This run's own scratch directory under `.dray/tmp`: command outputs are packed from here. */
  readonly tmpDir: string;
  /** `.dray/locks`, where a command service's output is locked while its command runs. */
  readonly locks: string;
  /** Where a setting is written in dray.yaml, for messages. */
  readonly locate?: (path: ConfigPath) => string;
}

/** A layer, the entries packed into it, and the programs among them that ask for a loader. */
interface Packed {
  layer: Layer;
  entries: readonly TarEntry[];
  programs: readonly DynamicProgram[];
}

type Clocks = Map<string, StepClock<AssembleStep>>;

/** Build every platform of a service and assemble its image set (index when there are several). */
export async function buildService(
  service: ResolvedService,
  deps: ServiceBuildDeps,
): Promise<AssembledService> {
  const clocks: Clocks = new Map(
    service.platforms.map((platform) => [
      platformName(platform),
      createStepClock(deps.tracer, `${service.name} ${platformName(platform)}`, ASSEMBLE_STEPS),
    ]),
  );
  const images =
    service.kind === "go"
      ? await buildGoImages(service, deps, clocks)
      : await buildCommandImages(service, deps, clocks);
  const times = new Map([...clocks].map(([name, clock]) => [name, clock.totals()]));
  return { set: assembleImageSet(images, { ...service.annotations }), times };
}

async function buildGoImages(service: GoService, deps: ServiceBuildDeps, clocks: Clocks): Promise<Image[]> {
  const go = deps.go;
  const main = go?.mains.get(service.name);
  if (!go || !main) throw new Error(`internal: no Go main package resolved for service ${service.name}`);
  // The files layer is the same for every platform: pack it once, charged to the first platform.
  let filesLayer: Promise<Packed | undefined> | undefined;
  const sharedFiles = () => {
    filesLayer ??= filesLayerFor(service, deps, clockOf(clocks, service.platforms[0]!));
    return filesLayer;
  };
  return Promise.all(
    service.platforms.map(async (platform) => {
      const clock = clockOf(clocks, platform);
      // The compiler batches and limits on its own; holding a slot of `limit` here would deadlock it.
      const compiled = await go.compiler.compile(service, main, platform);
      clock.add("compile", compiled.ms);
      deps.onStep?.(service.name, platformName(platform), "pack");
      const binary = { path: compiled.path, size: compiled.size };
      const entries: TarEntry[] = [{ path: service.binaryPath, type: "file", mode: 0o755, source: binary }];
      // Read before the binary is packed: packing removes it.
      const app = await packed(entries, () =>
        makeLayer(
          entries,
          { ...tarOptions(deps), comment: `dray: app binary ${service.binaryPath}` },
          clock,
          deps.layers,
        ).finally(() => rm(binary.path, { force: true })),
      );
      const files = await sharedFiles();
      return assembleFor(service, platform, files ? [files, app] : [app], deps);
    }),
  );
}

async function buildCommandImages(
  service: CommandService,
  deps: ServiceBuildDeps,
  clocks: Clocks,
): Promise<Image[]> {
  const images: Image[] = [];
  // One platform at a time: the command writes into the same output directory for each.
  for (const platform of service.platforms) {
    const clock = clockOf(clocks, platform);
    const entries = await deps.limit(async () => {
      deps.onStep?.(service.name, platformName(platform), "compile");
      const produced = await clock.time("compile", () =>
        runBuildCommand(service, platform, {
          env: deps.env,
          sourceDateEpoch: deps.sourceDateEpoch,
          ...(deps.signal ? { signal: deps.signal } : {}),
          locks: deps.locks,
          privateOutput: path.join(
            deps.tmpDir,
            "outputs",
            service.name,
            platformName(platform).replaceAll("/", "-"),
          ),
        }),
      );
      // Everything the command wrote, exactly as it wrote it: no ignore rules apply to an output.
      return clock.time("pack", () =>
        collectDirectory(produced.dir, service.to, {
          context: service.context,
          origin: produced.origin,
          shown: service.output,
        }),
      );
    });
    deps.onStep?.(service.name, platformName(platform), "pack");
    const layers: Packed[] = [];
    const files = await filesLayerFor(service, deps, clock);
    if (files) layers.push(files);
    layers.push(
      await packed(entries, () =>
        makeLayer(
          entries,
          { ...tarOptions(deps), comment: `dray: ${service.command.join(" ")} output` },
          clock,
          deps.layers,
        ),
      ),
    );
    images.push(await assembleFor(service, platform, layers, deps));
  }
  return images;
}

async function filesLayerFor(
  service: ResolvedService,
  deps: ServiceBuildDeps,
  clock: StepClock<AssembleStep>,
): Promise<Packed | undefined> {
  if (service.files.length === 0) return undefined;
  const entries = await clock.time("pack", () => collectMappings(service.files, service.context));
  return packed(entries, () =>
    makeLayer(entries, { ...tarOptions(deps), comment: "dray: files" }, clock, deps.layers),
  );
}

/** A layer with its entries' names and the dynamic programs among them, read before `pack` runs. */
async function packed(entries: readonly TarEntry[], pack: () => Promise<Layer>): Promise<Packed> {
  const programs = await dynamicPrograms(entries);
  return { layer: await pack(), entries, programs };
}

async function assembleFor(
  service: ResolvedService,
  platform: Platform,
  layers: readonly Packed[],
  deps: ServiceBuildDeps,
): Promise<Image> {
  const base = await deps.baseImage(service, platform);
  // An image whose program cannot find its loader would never start: refuse it before it is written.
  await checkLoaders(service, platform, base, layers, deps.locate);
  return assembleImage({
    platform,
    ...(base ? { base } : {}),
    layers: layers.map((p) => p.layer),
    config: runtimeConfigFor(service),
    created: deps.sourceDateEpoch,
    annotations: { ...service.annotations },
  });
}

function clockOf(clocks: Clocks, platform: Platform): StepClock<AssembleStep> {
  return clocks.get(platformName(platform))!;
}

function tarOptions(deps: ServiceBuildDeps) {
  return { mtime: deps.sourceDateEpoch, uid: 0, gid: 0 };
}
