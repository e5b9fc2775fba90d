/**
 * What a deploy does between planning and starting anything: read the users images run as, push
 * the images about to start, check the target's policy — and, for `dray promote`, the stand-in for
 * a build: images given by digest, already in the target's registry.
 */
import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { BlobSource, Digest, LayoutStore } from "../oci/index.js";
import type { BuildOutcome } from "../pipeline/index.js";
import type { Tracer } from "../report/index.js";
import { isStart, serviceOf } from "./deploy-plan.js";
import { imageUser, registryReference } from "./desired.js";
import type { DeployAction, StartAction } from "./types.js";

/** Images to deploy as they are, by digest, instead of building them (`dray promote`). */
export interface GivenImages {
  /** By service: the top descriptor (index or manifest) and each platform's manifest and config digest. */
  readonly entries: ReadonlyMap<string, CacheEntry>;
  /** Their manifests, indexes and configs, by digest. */
  readonly documents: ReadonlyMap<Digest, Buffer>;
}

/** A build outcome that built nothing: the given images, as a deploy reads a build. */
export function givenBuild(config: ResolvedConfig, images: GivenImages, tracer: Tracer): BuildOutcome {
  return {
    services: [],
    keys: new Map(),
    entries: images.entries,
    documents: images.documents,
    layout: config.state.layout,
    steps: { fingerprint: 0, "cache lookup": 0, build: 0, tag: 0, "cache prune": 0 },
    totalMs: 0,
    tracer,
  };
}

/** The user each service's image runs as, from its config (for Kubernetes' Pod Security settings). */
export async function imageUsers(
  services: readonly { name: string }[],
  build: BuildOutcome,
  source: BlobSource,
): Promise<Map<string, string | undefined>> {
  const users = new Map<string, string | undefined>();
  for (const s of services) users.set(s.name, await imageUser(source, build.entries.get(s.name)!));
  return users;
}

/**
 * Pushes only the services about to start, in their distribution form when the layout is given (the
 * rest are on the target already, by digest). Returns `actions` with each start pulling what was
 * pushed — the same image ID under the pushed digest — and the pushed digests by service.
 */
export async function publishStarting(
  config: ResolvedConfig,
  actions: readonly DeployAction[],
  build: BuildOutcome,
  source: BlobSource,
  tracer: Tracer,
  layout: LayoutStore | undefined,
): Promise<{ actions: DeployAction[]; pushed: Map<string, Digest> }> {
  const { publishByDigest } = await import("../publish/index.js");
  const wanted = new Map(
    actions.filter(isStart).map((start) => [serviceOf(start), build.entries.get(serviceOf(start))!]),
  );
  const entries = new Map(
    (await publishByDigest(config, source, wanted, tracer, layout)).map((r) => [r.service, r.entry]),
  );
  return {
    actions: actions.map((action) => {
      const entry = entries.get(serviceOf(action));
      if (!isStart(action) || !entry) return action;
      const image = registryReference(config, serviceOf(action), entry);
      return { ...action, desired: { ...action.desired, image } };
    }),
    pushed: new Map([...entries].map(([service, entry]) => [service, entry.top.digest])),
  };
}

/** The target's `require:` policy, checked on the images about to start, before anything changes. */
export async function requirePolicy(
  config: ResolvedConfig,
  target: string,
  starts: readonly StartAction[],
  build: BuildOutcome,
  pushed: ReadonlyMap<string, Digest>,
): Promise<void> {
  if (!config.policies[target] || starts.length === 0) return;
  const { requireSignedImages } = await import("../attest/index.js");
  const images = starts.map((start) => ({
    service: serviceOf(start),
    digest: pushed.get(serviceOf(start)) ?? build.entries.get(serviceOf(start))!.top.digest,
  }));
  await requireSignedImages(config, target, images);
}
