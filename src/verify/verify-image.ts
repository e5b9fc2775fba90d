/**
 * `dray verify --image REF`: proof by rebuilding. The image's provenance is read from the registry,
 * the commit it names is exported from the local repository into a scratch directory under the
 * project's `.dray/tmp`, the service is built there from an empty cache by the normal pipeline, and
 * the rebuild's manifests and image IDs are compared with the registry's. Only a byte-identical
 * rebuild is a proof; otherwise the first differing file (or config field) is named. The registry
 * holds the distribution form (layers gzipped by the pinned compressor), so that is what the rebuild is
 * turned into and compared as; an image pushed in the build's own form (uncompressed layers) is
 * compared as that.
 */
import { readFile, rm } from "node:fs/promises";
import { type CacheEntry, entryInDistributionForm } from "../cache/index.js";
import { loadConfig, type ResolvedConfig } from "../config/index.js";
import { ExitCode, errorMessage, interruptedError, UserError } from "../errors/index.js";
import { DRAY_VERSION, makeScratch } from "../io/index.js";
import {
  type Descriptor,
  type Digest,
  formatReference,
  type ImageReference,
  openLayout,
  sha256Digest,
} from "../oci/index.js";
import { buildProject } from "../pipeline/index.js";
import { pullImage, type RegistryClient, resolveRemote } from "../registry/index.js";
import type { Tracer } from "../report/index.js";
import { exportCommit } from "./commit-export.js";
import { explainImageDifference } from "./explain.js";
import { type ImageMatch, keyDifferences, matchImages } from "./image-match.js";
import { readImageSummary } from "./image-summary.js";
import { describeDifference } from "./layer-diff.js";
import { type ProvenanceClaim, unprovable } from "./provenance-claim.js";
import { fetchClaims } from "./remote-provenance.js";

/** What one provenance claim came to. */
export type ClaimResult =
  | { status: "unprovable"; service: string; commit: string | undefined; dirty: boolean; reason: string }
  | {
      status: "rebuilt";
      service: string;
      commit: string;
      /** The dray.yaml digest recorded, and that of the commit's file. */
      config: { recorded: Digest | undefined; checkout: Digest };
      inputKey: { recorded: Digest; rebuilt: Digest };
      /** Why the input keys differ; empty when they are the same. */
      keyDifferences: string[];
      /** Things worth knowing that do not decide the result (another dray version, another dray.yaml digest). */
      notes: string[];
      match: ImageMatch;
    };

/** The verdict on one image. */
export interface ImageVerification {
  /** The image by digest: `registry/repository@sha256:…`. */
  image: string;
  claims: ClaimResult[];
  /** True only when a rebuild of a clean commit gave exactly the registry's bytes, and none differed. */
  identical: boolean;
}

/** Options for verifying a registry image. */
export interface VerifyImageOptions {
  /** The project here: its `.dray/tmp` holds the scratch checkout, its git repository the commit. */
  config: ResolvedConfig;
  reference: ImageReference;
  client: RegistryClient;
  env: NodeJS.ProcessEnv;
  keep?: boolean;
  onPhase?: (phase: string) => void;
  tracer?: Tracer;
  signal?: AbortSignal;
}

/** Rebuilds the image `reference` names from every clean commit its provenance claims, and compares. */
export async function verifyImage(options: VerifyImageOptions): Promise<ImageVerification> {
  const { reference, client } = options;
  const named = reference.digest ?? reference.tag ?? "latest";
  options.onPhase?.(`reading ${formatReference(reference)}`);
  const top = await resolveRemote(client, reference.repository, named);
  const image = formatReference({ ...reference, tag: undefined, digest: top.digest });
  const claims = await fetchClaims(client, reference.repository, top.digest);
  if (claims.length === 0) {
    throw new UserError(`${image} has no provenance from dray: there is nothing to rebuild it from`, {
      hint: `Push it with \`dray push\` (dray ${DRAY_VERSION} attaches provenance to every image it pushes, unless dray.yaml says \`sbom: false\`).`,
    });
  }
  const results: ClaimResult[] = [];
  for (const claim of claims) {
    const reason = unprovable(claim);
    if (reason !== undefined) {
      results.push({
        status: "unprovable",
        service: claim.service,
        commit: claim.commit,
        dirty: claim.dirty,
        reason,
      });
      continue;
    }
    results.push(await rebuildClaim(options, claim, top));
  }
  const rebuilt = results.filter((r) => r.status === "rebuilt");
  return {
    image,
    claims: results,
    identical: rebuilt.length > 0 && rebuilt.every((r) => r.match.identical),
  };
}

async function rebuildClaim(
  options: VerifyImageOptions,
  claim: ProvenanceClaim,
  top: Descriptor,
): Promise<ClaimResult> {
  const commit = claim.commit!;
  const scratch = await makeScratch(options.config.state.tmp, "verify");
  try {
    options.onPhase?.(`exporting commit ${commit.slice(0, 12)}`);
    const exported = await exportCommit({
      from: options.config.root,
      commit,
      configPath: claim.configPath,
      scratch,
    });
    const configDigest = sha256Digest(await readFile(exported.configFile));
    const config = await loadConfig({
      cwd: exported.root,
      file: exported.configFile,
      env: options.env,
      // Version stamps as of the recorded commit: the export has no repository of its own.
      stampsAt: { repository: exported.repository, revision: commit },
    }).catch((error) => {
      throw new UserError(`cannot read ${claim.configPath} as of commit ${commit.slice(0, 12)}`, {
        exitCode: ExitCode.usage,
        details: errorMessage(error),
        cause: error,
      });
    });
    if (!config.services.some((s) => s.name === claim.service)) {
      throw new UserError(
        `${claim.configPath} at commit ${commit.slice(0, 12)} has no service ${claim.service}`,
        {
          hint: "The provenance does not match this repository's history; check that this is the right repository.",
        },
      );
    }
    options.onPhase?.(`rebuilding ${claim.service} from an empty cache`);
    const entry = await rebuild(options, config, claim.service, scratch);
    options.onPhase?.("comparing with the registry's image");
    const layout = await openLayout(config.state.layout);
    // Only what the rebuild does not have is fetched: identical layers are already in its layout.
    await pullImage({
      client: options.client,
      repository: options.reference.repository,
      digest: top.digest,
      into: layout,
    });
    const summary = await readImageSummary(layout, top);
    const formed = await entryInDistributionForm(config.state, layout, entry);
    let match = matchImages(summary, formed);
    if (!match.identical) {
      const asBuilt = matchImages(summary, entry);
      if (asBuilt.identical) match = asBuilt;
    }
    for (const platform of match.platforms) {
      if (platform.identical || !platform.rebuilt) continue;
      const difference = await explainImageDifference(
        { store: layout, manifest: platform.registry.manifestDigest },
        { store: layout, manifest: platform.rebuilt.manifestDigest },
      );
      platform.reason = !difference
        ? "the manifests differ but no difference was found in config or layers"
        : difference.kind === "compression"
          ? `layer ${difference.layer}: same content, different compressed bytes`
          : describeDifference(difference, { a: "the registry's image", b: "the rebuild", label: true });
    }
    const notes: string[] = [];
    if (claim.configDigest !== undefined && claim.configDigest !== configDigest)
      notes.push(
        `${claim.configPath} at the commit has digest ${configDigest}, the provenance records ${claim.configDigest}`,
      );
    if (claim.builder !== undefined && claim.builder !== DRAY_VERSION)
      notes.push(`built by dray ${claim.builder}, rebuilt by dray ${DRAY_VERSION}`);
    return {
      status: "rebuilt",
      service: claim.service,
      commit,
      config: { recorded: claim.configDigest, checkout: configDigest },
      inputKey: { recorded: claim.inputKey, rebuilt: entry.key },
      keyDifferences: keyDifferences(claim, entry),
      notes,
      match,
    };
  } finally {
    if (options.keep) options.onPhase?.(`the export is kept in ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
}

/** One service built in the export with the normal pipeline, from the export's own (empty) cache. */
async function rebuild(
  options: VerifyImageOptions,
  config: ResolvedConfig,
  service: string,
  scratch: string,
): Promise<CacheEntry> {
  const stopped = () => interruptedError("nothing was compared; the exported commit was removed");
  if (options.signal?.aborted) throw stopped();
  const outcome = await buildProject({
    config,
    only: [service],
    // The export's cache is empty anyway; this says so: every image is built, none looked up.
    noCache: true,
    // A build command that runs git must not find the user's repository above the export.
    env: { ...options.env, GIT_CEILING_DIRECTORIES: scratch },
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  }).catch((error) => {
    // The pipeline's own message speaks of the export's layout, which is about to go.
    throw options.signal?.aborted ? stopped() : error;
  });
  if (options.signal?.aborted) throw stopped();
  const report = outcome.services.find((s) => s.name === service);
  if (report?.status === "failed") {
    throw new UserError(`${service} does not build from the recorded commit`, {
      details: errorMessage(report.error),
      cause: report.error,
    });
  }
  const entry = outcome.entries.get(service);
  if (!entry) throw new Error(`internal: no cache entry for ${service} after its build`);
  return entry;
}
