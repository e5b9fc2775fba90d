/** Building one service into an image set: compile (or run its command), pack, compress, assemble. */

import { runtimeConfigFor } from "../config/runtime-config.js";
import type { CommandService, GoService, ResolvedService } from "../config/types.js";
import type { GoCompiler, GoMain } from "../go/index.js";
import { assembleImage, assembleImageSet, type BaseImage } from "../oci/image.js";
import { platformName } from "../oci/platform.js";
import type { Image, ImageSet, Layer, Platform } from "../oci/types.js";
import type { Tracer } from "../report/trace.js";
import { runBuildCommand } from "./command-run.js";
import { collectMappings, makeLayer } from "./layers.js";

/** The steps a build reports progress for. */
export type BuildStep = "compile" | "pack" | "compress" | "write";

/** Everything a service build needs from outside: tools, limits, clocks and places. */
export interface ServiceBuildDeps {
  readonly tracer: Tracer;
  readonly env: NodeJS.ProcessEnv;
  readonly sourceDateEpoch: number;
  /** A private scratch directory for compiler output. */
  readonly tmpDir: string;
  /** Runs heavy work (compiles, build commands) under the project's concurrency limit. */
  readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly baseImage: (service: ResolvedService, platform: Platform) => Promise<BaseImage | undefined>;
  readonly go?: { compiler: GoCompiler; mains: ReadonlyMap<string, GoMain> };
  readonly onStep?: (service: string, platform: string, step: BuildStep) => void;
  readonly signal?: AbortSignal;
}

/** The span subject for one service and platform: "api linux/amd64" (build-project reads spans by it). */
export function subjectOf(service: string, platform: Platform): string {
  return `${service} ${platformName(platform)}`;
}

/** Build every platform of a service and assemble its image set (index when there are several). */
export async function buildService(service: ResolvedService, deps: ServiceBuildDeps): Promise<ImageSet> {
  const images =
    service.kind === "go" ? await buildGoImages(service, deps) : await buildCommandImages(service, deps);
  return assembleImageSet(images);
}

async function buildGoImages(service: GoService, deps: ServiceBuildDeps): Promise<Image[]> {
  const go = deps.go;
  const main = go?.mains.get(service.name);
  if (!go || !main) throw new Error(`internal: no Go target resolved for service ${service.name}`);
  // The files layer is the same for every platform: pack it once.
  let filesLayer: Promise<Layer | undefined> | undefined;
  const sharedFiles = () => {
    filesLayer ??= filesLayerFor(service, deps, subjectOf(service.name, service.platforms[0]!));
    return filesLayer;
  };
  return Promise.all(
    service.platforms.map(async (platform) => {
      const subject = subjectOf(service.name, platform);
      // The compiler batches and limits on its own; holding a slot of `limit` here would deadlock it.
      const binary = await go.compiler.compile(service, main, platform);
      deps.onStep?.(service.name, platformName(platform), "pack");
      const appLayer = await makeLayer(
        [{ path: service.binaryPath, type: "file", mode: 0o755, data: binary }],
        { ...tarOptions(deps), comment: `dray: app binary ${service.binaryPath}` },
        { tracer: deps.tracer, subject },
      );
      const files = await sharedFiles();
      return assembleFor(service, platform, files ? [files, appLayer] : [appLayer], deps);
    }),
  );
}

async function buildCommandImages(service: CommandService, deps: ServiceBuildDeps): Promise<Image[]> {
  const images: Image[] = [];
  // One platform at a time: the command writes into the same output directory for each.
  for (const platform of service.platforms) {
    const subject = subjectOf(service.name, platform);
    const entries = await deps.limit(async () => {
      deps.onStep?.(service.name, platformName(platform), "compile");
      await deps.tracer.span(
        "compile",
        () =>
          runBuildCommand(service, platform, {
            env: deps.env,
            sourceDateEpoch: deps.sourceDateEpoch,
            ...(deps.signal ? { signal: deps.signal } : {}),
          }),
        { subject },
      );
      return deps.tracer.span(
        "pack",
        () => collectMappings([{ from: service.output, to: service.to }], service.context),
        { subject },
      );
    });
    deps.onStep?.(service.name, platformName(platform), "pack");
    const layers: Layer[] = [];
    const files = await filesLayerFor(service, deps, subject);
    if (files) layers.push(files);
    layers.push(
      await makeLayer(
        entries,
        { ...tarOptions(deps), comment: `dray: ${service.command.join(" ")} output` },
        {
          tracer: deps.tracer,
          subject,
        },
      ),
    );
    images.push(await assembleFor(service, platform, layers, deps));
  }
  return images;
}

async function filesLayerFor(
  service: ResolvedService,
  deps: ServiceBuildDeps,
  subject: string,
): Promise<Layer | undefined> {
  if (service.files.length === 0) return undefined;
  const entries = await deps.tracer.span("pack", () => collectMappings(service.files, service.context), {
    subject,
  });
  return makeLayer(
    entries,
    { ...tarOptions(deps), comment: "dray: files" },
    { tracer: deps.tracer, subject },
  );
}

async function assembleFor(
  service: ResolvedService,
  platform: Platform,
  layers: Layer[],
  deps: ServiceBuildDeps,
): Promise<Image> {
  const base = await deps.baseImage(service, platform);
  return assembleImage({
    platform,
    ...(base ? { base } : {}),
    layers,
    config: runtimeConfigFor(service),
    created: deps.sourceDateEpoch,
  });
}

function tarOptions(deps: ServiceBuildDeps) {
  return { mtime: deps.sourceDateEpoch, uid: 0, gid: 0 };
}
