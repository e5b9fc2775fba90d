/**
 * `dray promote --from A --to B [service…]`: deploy to B exactly the images A runs — read from A's
 * live state, never rebuilt. Every requested service must run healthy on A, deployed by a registry
 * digest; the images are copied into B's registry where it lacks them (only the missing blobs) and
 * deployed through the normal deploy path: B's lock, B's per-service settings, health waits,
 * rollback on failure.
 */

import type { CacheEntry } from "../cache/index.js";
import type { RegistryTarget, ResolvedConfig, TargetConfig } from "../config/index.js";
import { onTarget, selectServices } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import type { Digest } from "../oci/index.js";
import { formatReference } from "../oci/index.js";
import type { CopyEnd, CopyResult, RegistryClient, RemoteImage } from "../registry/index.js";
import { chooseTarget } from "./choose-target.js";
import { type DeployOptions, type DeployOutcome, deployProject } from "./deploy.js";
import { imageIdentity, runnable } from "./desired.js";
import { openTarget } from "./open-target.js";
import { checkPromotable, type PromotableService } from "./promote-check.js";
import { entryFromRegistry } from "./promote-images.js";

export interface PromoteOptions
  extends Omit<DeployOptions, "target" | "prune" | "images" | "force" | "wrapper"> {
  from: string;
  to: string;
}

/** One service's image on its way from A to B. */
export interface PromotedImage {
  readonly service: string;
  readonly imageId: Digest;
  /** Where A pulled it from, and where B pulls it from: the same digest. */
  readonly from: string;
  readonly to: string;
  /** "present": B's registry had it; "copied": what it lacked was sent; "planned": a dry run, nothing sent. */
  readonly copy: "present" | "copied" | "planned";
  readonly blobs: { readonly uploaded: number; readonly mounted: number; readonly present: number };
  readonly bytesSent: number;
}

export interface PromoteOutcome {
  readonly from: TargetConfig;
  readonly images: readonly PromotedImage[];
  readonly deploy: DeployOutcome;
}

/** Promotes; throws a UserError (exit 1) naming every service that cannot be promoted, before anything changes. */
export async function promoteProject(options: PromoteOptions): Promise<PromoteOutcome> {
  const { config, tracer } = options;
  const source = chooseTarget(config, options.from);
  const dest = chooseTarget(config, options.to);
  if (source.name === dest.name)
    throw new UserError(`--from and --to name the same target, ${source.name}`, { exitCode: ExitCode.usage });
  const destRegistry = onTarget(config, dest).registry;
  if (!destRegistry)
    throw new UserError(`target ${dest.name} has no registry to promote images into`, {
      exitCode: ExitCode.usage,
      hint: `Give it one (\`registry:\` under ${config.locate(["targets", dest.name])}) or the project (\`registry:\` at the top).`,
    });
  const services = selectServices(config, options.only)
    .filter(runnable)
    .map((s) => s.name);

  const { promotable, platform } = await tracer.span("read source", () =>
    readSource(config, source, services, options.env),
  );
  const images: PromotedImage[] = [];
  const documents = new Map<Digest, Buffer>();
  const entries = new Map<string, CacheEntry>();
  const { clientFor } = await import("../publish/index.js");
  const to = clientFor(destRegistry);
  try {
    for (const p of promotable) {
      const image = await bringImage(p, { config, to, toRegistry: destRegistry, platform, source, options });
      for (const [digest, bytes] of image.documents) documents.set(digest, bytes);
      entries.set(p.service, image.entry);
      images.push(image.report);
    }
  } finally {
    to.close();
  }
  const deploy = await deployProject({
    ...options,
    target: dest.name,
    prune: false,
    images: { entries, documents },
  });
  return { from: source, images, deploy };
}

/** What bringing one image over needs. */
interface Bring {
  config: ResolvedConfig;
  to: RegistryClient;
  toRegistry: RegistryTarget;
  /** The source target's platform, for comparing image IDs. */
  platform: string | undefined;
  source: TargetConfig;
  options: PromoteOptions;
}

/** Reads one service's image from where the source pulled it, checks it, and copies it to B's registry (not on a dry run). */
async function bringImage(
  p: PromotableService,
  { config, to, toRegistry, platform, source, options }: Bring,
): Promise<{ entry: CacheEntry; documents: ReadonlyMap<Digest, Buffer>; report: PromotedImage }> {
  const registry = await import("../registry/index.js");
  const { clientFor, repositoryOf } = await import("../publish/index.js");
  const toEnd = { client: to, repository: repositoryOf(toRegistry, p.service) };
  const from = clientFor(knownRegistry(config, p.reference.registry));
  try {
    const fromEnd = { client: from, repository: p.reference.repository };
    const span = <T>(name: string, fn: () => Promise<T>) =>
      options.tracer.span(name, fn, { subject: p.service });
    const read = await span("read image", () => readImage(registry, fromEnd, p));
    const entry = entryFromRegistry(p.service, read.graph.top, read.documents);
    checkSameImage(p, entry, platform, source.name);
    const copied = options.dryRun
      ? undefined
      : await span("copy image", () => copy(registry, fromEnd, toEnd, p, read));
    const target = formatReference({
      registry: to.registry,
      repository: toEnd.repository,
      digest: p.reference.digest,
    });
    return { entry, documents: read.documents, report: report(p, target, copied) };
  } finally {
    from.close();
  }
}

/** The services A runs, checked; refuses (exit 1) listing every one that is not promotable. */
async function readSource(
  config: ResolvedConfig,
  source: TargetConfig,
  services: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ promotable: PromotableService[]; platform: string | undefined }> {
  const placed = onTarget(config, source);
  const opened = await openTarget(source, { config: placed, env });
  try {
    const live = await opened.readLive(placed.project, services);
    const { ok, refused } = checkPromotable(services, live, source.name);
    if (refused.length > 0)
      throw new UserError(
        `cannot promote from target ${source.name}: ${refused.map((r) => `${r.service} ${r.reason}`).join("; ")}`,
        {
          details: refused.map((r) => `${r.service}: ${r.reason}`).join("\n"),
          hint: `Deploy ${source.name} until every service is healthy (dray deploy -t ${source.name}), or promote only the healthy ones by name.`,
        },
      );
    return { promotable: ok, platform: opened.platform };
  } finally {
    opened.close();
  }
}

type RegistryStage = typeof import("../registry/index.js");

async function readImage(registry: RegistryStage, from: CopyEnd, p: PromotableService): Promise<RemoteImage> {
  try {
    return await registry.readRemoteImage(from, p.reference.digest);
  } catch (error) {
    throw cannot(p, `cannot read ${formatReference(p.reference)}`, error);
  }
}

async function copy(
  registry: RegistryStage,
  from: CopyEnd,
  to: CopyEnd,
  p: PromotableService,
  read: RemoteImage,
): Promise<CopyResult> {
  try {
    return await registry.copyImage(from, to, p.reference.digest, { read });
  } catch (error) {
    throw cannot(
      p,
      `cannot copy ${formatReference(p.reference)} to ${to.client.registry}/${to.repository}`,
      error,
    );
  }
}

function cannot(p: PromotableService, what: string, error: unknown): UserError {
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`${p.service}: ${what}: ${message}`, {
    hint: "Nothing was deployed. Check that both registries are reachable and that the source still holds the image.",
    cause: error,
  });
}

/** The registry's image must be the one A says it runs: its label and its reference must agree. */
function checkSameImage(
  p: PromotableService,
  entry: CacheEntry,
  platform: string | undefined,
  source: string,
): void {
  const id = imageIdentity(entry, platform, p.service);
  if (id !== p.imageId)
    throw new UserError(
      `${p.service}: target ${source} says it runs image ${p.imageId}, but ${formatReference(p.reference)} is image ${id}`,
      { hint: `Redeploy ${p.service} to ${source} (dray deploy -t ${source}) and promote again.` },
    );
}

/** How to reach a registry host: as dray.yaml configures it (the project's or a target's), else by default. */
function knownRegistry(config: ResolvedConfig, host: string): RegistryTarget {
  const known = [config.registry, ...config.targets.map((t) => t.registry)].find((r) => r?.registry === host);
  return known ?? { url: host, registry: host, namespace: "", insecure: false };
}

function report(p: PromotableService, to: string, copied: CopyResult | undefined): PromotedImage {
  const blobs = copied?.push?.blobs ?? [];
  const count = (action: string) => blobs.filter((b) => b.action === action).length;
  return {
    service: p.service,
    imageId: p.imageId,
    from: formatReference(p.reference),
    to,
    copy: copied === undefined ? "planned" : copied.action,
    blobs: { uploaded: count("uploaded"), mounted: count("mounted"), present: count("exists") },
    bytesSent: copied?.push?.bytesSent ?? 0,
  };
}
