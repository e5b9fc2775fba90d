/** `dray build`: every selected service built in parallel into the local OCI layout, tagged only on success. */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import type { GoService, ResolvedConfig, ResolvedService } from "../config/types.js";
import { isExpectedError } from "../errors.js";
import { readBaseFromLayout } from "../oci/base.js";
import type { BaseImage } from "../oci/image.js";
import { openLayout } from "../oci/layout.js";
import type { Descriptor, Digest, ImageSet, Platform } from "../oci/types.js";
import { createTracer, durationsBySubject, type Tracer } from "../report/trace.js";
import { type BuildStep, buildService, subjectOf } from "./build-service.js";
import { platformName } from "./go-flags.js";
import { resolveGoTargets } from "./go-packages.js";
import { findGoToolchain } from "./go-toolchain.js";
import { selectServices } from "./select.js";

/** One platform's image, as reported to the user. */
export interface PlatformReport {
  platform: string;
  /** The image ID: digest of the config. */
  imageId: Digest;
  manifestDigest: Digest;
  /** Compressed bytes: layers + config + manifest. */
  size: number;
  timings: Record<BuildStep, number>;
}

/** One service's result. */
export type ServiceReport =
  | { name: string; kind: string; status: "built"; ref: string; digest: Digest; platforms: PlatformReport[] }
  | { name: string; kind: string; status: "failed"; error: unknown };

/** What `dray build` did. */
export interface BuildOutcome {
  services: ServiceReport[];
  layout: string;
  totalMs: number;
  tracer: Tracer;
}

/** Options for a project build. */
export interface BuildOptions {
  config: ResolvedConfig;
  /** Names to build; empty means all. */
  only?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Defaults to <root>/.dray/oci. */
  layoutDir?: string;
  jobs?: number;
  tracer?: Tracer;
  onStep?: (service: string, platform: string, step: BuildStep | "done" | "failed") => void;
  signal?: AbortSignal;
}

/** Build the selected services. Per-service failures are reported, not thrown; config problems throw. */
export async function buildProject(options: BuildOptions): Promise<BuildOutcome> {
  const { config } = options;
  const tracer = options.tracer ?? createTracer();
  const started = tracer.now();
  const services = selectServices(config, options.only ?? []);
  const layoutDir = options.layoutDir ?? path.join(config.root, ".dray", "oci");

  const goServices = services.filter((s): s is GoService => s.kind === "go");
  const go =
    goServices.length > 0
      ? await tracer.span("resolve go packages", async () => {
          const toolchain = await findGoToolchain(options.env);
          const targets = await resolveGoTargets(toolchain, goServices, {
            root: config.root,
            env: options.env,
            locate: config.locate,
          });
          return { toolchain, targets };
        })
      : undefined;

  const store = await openLayout(layoutDir, { create: true });
  // Scratch space next to the layout, so nothing half-built ever lands inside it.
  const tmpDir = path.join(
    path.dirname(layoutDir),
    "tmp",
    `build-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  await mkdir(tmpDir, { recursive: true });
  const limit = pLimit(options.jobs ?? Math.max(1, os.availableParallelism()));
  const bases = new Map<string, Promise<BaseImage | undefined>>();
  const baseImage = (service: ResolvedService, platform: Platform) => {
    if (service.base.kind === "scratch") return Promise.resolve(undefined);
    const { layout, ref } = service.base;
    const key = `${layout}\0${ref}\0${platformName(platform)}`;
    let base = bases.get(key);
    if (!base) {
      base = readBaseFromLayout(layout, ref, platform);
      bases.set(key, base);
    }
    return base;
  };

  const built = new Map<string, { service: ResolvedService; set: ImageSet }>();
  try {
    const reports = await Promise.all(
      services.map(async (service): Promise<ServiceReport> => {
        try {
          const set = await buildService(service, {
            tracer,
            env: options.env,
            sourceDateEpoch: config.sourceDateEpoch,
            tmpDir,
            limit,
            baseImage,
            ...(go ? { go } : {}),
            ...(options.onStep ? { onStep: options.onStep } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          options.onStep?.(service.name, "", "write");
          await tracer.span("write", () => store.writeImageSet(set), { subject: service.name });
          built.set(service.name, { service, set });
          options.onStep?.(service.name, "", "done");
          return {
            name: service.name,
            kind: service.kind,
            status: "built",
            ref: service.name,
            digest: set.top.digest,
            platforms: platformReports(service.name, set, tracer),
          };
        } catch (error) {
          options.onStep?.(service.name, "", "failed");
          if (!isExpectedError(error) && !isAbort(error)) throw error;
          return { name: service.name, kind: service.kind, status: "failed", error };
        }
      }),
    );
    // Tags move only after every blob of every successful image is in place.
    const tags: Record<string, Descriptor> = {};
    for (const { service, set } of built.values()) Object.assign(tags, tagsFor(service.name, set));
    if (Object.keys(tags).length > 0) await tracer.span("tag", () => store.tag(tags));
    return { services: reports, layout: layoutDir, totalMs: tracer.now() - started, tracer };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** The tags of a built service: its name for the whole set, plus one per platform when there are several. */
function tagsFor(name: string, set: ImageSet): Record<string, Descriptor> {
  const out: Record<string, Descriptor> = { [name]: set.top };
  if (set.images.length > 1) {
    for (const image of set.images) out[platformTag(name, image.platform)] = image.manifest.descriptor;
  }
  return out;
}

/** The per-platform tag of a multi-platform service, for tools that cannot pick from an index: "api.linux-arm64". */
export function platformTag(service: string, platform: Platform): string {
  return `${service}.${platformName(platform).replaceAll("/", "-")}`;
}

function platformReports(name: string, set: ImageSet, tracer: Tracer): PlatformReport[] {
  const writeMs = durationsBySubject(tracer.spans(), name)["write"] ?? 0;
  return set.images.map((image) => {
    const steps = durationsBySubject(tracer.spans(), subjectOf(name, image.platform));
    const size =
      image.config.descriptor.size +
      image.manifest.descriptor.size +
      image.layers.reduce((sum, layer) => sum + layer.blob.descriptor.size, 0);
    return {
      platform: platformName(image.platform),
      imageId: image.id,
      manifestDigest: image.manifest.descriptor.digest,
      size,
      timings: {
        compile: steps["compile"] ?? 0,
        pack: steps["pack"] ?? 0,
        compress: steps["compress"] ?? 0,
        write: writeMs / set.images.length,
      },
    };
  });
}
