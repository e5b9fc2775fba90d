/**
 * `dray verify`: build here, build again in a fresh copy under another path, umask, clock,
 * TZ, locale and an empty Go cache (each only where this machine can apply it, see variations.ts),
 * and compare every image ID and manifest digest — and hash every blob of both images, so that a
 * blob corrupted on disk is not passed on the strength of its name. Identical images are then
 * compared in their distribution form too (layers gzipped as a push sends them), on both sides.
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { manifestsInDistributionForm } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import { stampEnvironment, statePaths } from "../config/index.js";
import { UserError } from "../errors/index.js";
import { exec, makeScratch, tailLines } from "../io/index.js";
import type { Digest } from "../oci/index.js";
import { openLayout } from "../oci/index.js";
import { type BuildOutcome, buildProject } from "../pipeline/index.js";
import { blobIntegrity } from "./blob-integrity.js";
import { explainImageDifference } from "./explain.js";
import { copyProject, projectFiles } from "./fresh-copy.js";
import { describeDifference } from "./layer-diff.js";
import {
  planVariations,
  systemProbes,
  type Variation,
  type VariationProbes,
  VERIFY_CLOCK_DAYS,
} from "./variations.js";

/** One service and platform compared. */
export interface VerifyResult {
  service: string;
  platform: string;
  imageId: { here: Digest; copy: Digest | undefined };
  manifestDigest: { here: Digest; copy: Digest | undefined };
  /** The manifest digest of the distribution form (what a push sends); compared once the rest is identical. */
  distributionDigest?: { here: Digest; copy: Digest };
  identical: boolean;
  /** Why the two differ, in one line; absent when identical. */
  reason?: string;
}

/** What the second build ran under, shown to the user so a mismatch can be reproduced. */
export interface VerifyConditions {
  copy: string;
  env: Record<string, string>;
  umask: string;
  mtime: string;
  /** What the second build's clock said. */
  clock: string;
  /** Every condition varied, or skipped because this machine cannot apply it. */
  variations: Variation[];
}

/** Options for verify. */
export interface VerifyOptions {
  config: ResolvedConfig;
  only: readonly string[];
  env: NodeJS.ProcessEnv;
  /** How to start dray for the second build: [node, script]. */
  drayCommand: readonly string[];
  keep?: boolean;
  onPhase?: (phase: string) => void;
  /** What the machine can vary (default: ask it). */
  probes?: VariationProbes;
}

/** Build twice under different conditions and compare. */
export async function verifyProject(
  options: VerifyOptions,
): Promise<{ results: VerifyResult[]; conditions: VerifyConditions; reference: BuildOutcome }> {
  const { config } = options;
  options.onPhase?.("building here");
  const reference = await buildProject({ config, only: options.only, env: options.env });
  const failed = reference.services.find((s) => s.status === "failed");
  if (failed && failed.status === "failed") throw failed.error;

  // Under the project's own .dray/tmp, like everything dray writes; never in the system's temp dir.
  const scratch = await makeScratch(config.state.tmp, "verify");
  // Another depth and another name: absolute paths in a binary would show up as a difference.
  const copy = path.join(scratch, "elsewhere", `${path.basename(config.root)}-copy`);
  const mtime = Math.floor(Date.now() / 1000) - 400 * 86400;
  const umask = 0o077;
  const gocache = path.join(scratch, "empty-gocache");
  const planned = await planVariations({ copy, umask, mtime, gocache }, options.probes ?? systemProbes);
  const variedEnv = {
    ...planned.env,
    TMPDIR: scratch,
    // The copy lies inside the project: git run by a build command must not find the project's repository.
    GIT_CEILING_DIRECTORIES: path.dirname(copy),
    SOURCE_DATE_EPOCH: String(config.sourceDateEpoch),
  };
  const clock = planned.variations.find((v) => v.name === "clock")!;
  const conditions: VerifyConditions = {
    copy,
    env: variedEnv,
    umask: `0${umask.toString(8)}`,
    mtime: new Date(mtime * 1000).toISOString(),
    clock: clock.applied
      ? `${VERIFY_CLOCK_DAYS} days ahead (faketime)`
      : "the system clock (install faketime to shift it)",
    variations: planned.variations,
  };
  try {
    options.onPhase?.("copying the project");
    await copyProject(config.root, copy, await projectFiles(config.root), { umask, mtime });
    // The copy stands for a checkout's top: a .git there stops the search for .gitignore files above
    // it, which would otherwise reach the project's own (and its `.dray/` rule would ignore everything).
    await mkdir(path.join(copy, ".git"), { recursive: true });
    options.onPhase?.("building in the copy");
    const copyConfig = path.join(copy, path.relative(config.root, config.file));
    const argv = [
      ...planned.prefix,
      ...options.drayCommand,
      "--config",
      copyConfig,
      "build",
      "--json",
      ...options.only,
    ];
    const result = await exec("/bin/sh", ["-c", `umask ${conditions.umask} && exec "$@"`, "sh", ...argv], {
      cwd: copy,
      // The copy has no .git: the version stamps it renders are the ones rendered here.
      env: { ...options.env, ...variedEnv, ...(config.stamps ? stampEnvironment(config.stamps) : {}) },
    });
    let copied: ReturnType<typeof parseBuild>;
    try {
      copied = parseBuild(result.stdout);
    } catch {
      throw new UserError("the build in the fresh copy failed", {
        details: tailLines(result.stderr || result.stdout, 40),
        hint: `The copy is at ${copy}; run dray verify --keep to inspect it.`,
      });
    }
    options.onPhase?.("comparing");
    const results = await compare(reference, copied, statePaths(copy).layout);
    await compareDistribution(results, { state: config.state, layout: reference.layout }, statePaths(copy));
    return { results, conditions, reference };
  } finally {
    if (!options.keep) await rm(scratch, { recursive: true, force: true });
  }
}

type CopiedBuild = Map<string, Map<string, { imageId: Digest; manifestDigest: Digest }>>;

function parseBuild(stdout: string): CopiedBuild {
  const json = JSON.parse(stdout) as {
    services: {
      name: string;
      status: string;
      platforms?: { platform: string; imageId: Digest; manifestDigest: Digest }[];
    }[];
  };
  const out: CopiedBuild = new Map();
  for (const service of json.services) {
    if (service.status !== "built") throw new Error(`service ${service.name} failed in the copy`);
    out.set(service.name, new Map((service.platforms ?? []).map((p) => [p.platform, p])));
  }
  return out;
}

/**
 * For every result still identical, the distribution forms of both builds (each compressed with its
 * own records, into its own layout) must be identical too; the first layer whose gzip differs is named.
 */
async function compareDistribution(
  results: VerifyResult[],
  here: { state: ResolvedConfig["state"]; layout: string },
  there: ResolvedConfig["state"],
): Promise<void> {
  const same = results.filter((r) => r.identical && r.manifestDigest.copy);
  if (same.length === 0) return;
  const [hereStore, thereStore] = await Promise.all([openLayout(here.layout), openLayout(there.layout)]);
  const manifests = same.map((r) => r.manifestDigest.here);
  const [ours, theirs] = await Promise.all([
    manifestsInDistributionForm(here.state, hereStore, manifests),
    manifestsInDistributionForm(there, thereStore, manifests),
  ]);
  for (const result of same) {
    const distribution = {
      here: ours.get(result.manifestDigest.here)!,
      copy: theirs.get(result.manifestDigest.here)!,
    };
    result.distributionDigest = distribution;
    if (distribution.here === distribution.copy) continue;
    result.identical = false;
    const difference = await explainImageDifference(
      { store: hereStore, manifest: distribution.here },
      { store: thereStore, manifest: distribution.copy },
    );
    result.reason =
      difference?.kind === "compression"
        ? `layer ${difference.layer}: same content, different compressed bytes in the distribution form (the pinned gzip gave other bytes in the copy)`
        : `the distribution forms differ (${distribution.here} here, ${distribution.copy} in the copy)`;
  }
}

async function compare(
  reference: BuildOutcome,
  copied: CopiedBuild,
  copyLayout: string,
): Promise<VerifyResult[]> {
  const here = await openLayout(reference.layout);
  const there = await openLayout(copyLayout);
  const [intactHere, intactThere] = [blobIntegrity(here), blobIntegrity(there)];
  const results: VerifyResult[] = [];
  for (const report of reference.services) {
    if (report.status !== "built") continue;
    for (const p of report.platforms) {
      const other = copied.get(report.name)?.get(p.platform);
      const identical = other?.imageId === p.imageId && other.manifestDigest === p.manifestDigest;
      const result: VerifyResult = {
        service: report.name,
        platform: p.platform,
        imageId: { here: p.imageId, copy: other?.imageId },
        manifestDigest: { here: p.manifestDigest, copy: other?.manifestDigest },
        identical,
      };
      const brokenHere = await intactHere(p.manifestDigest);
      const brokenThere = !brokenHere && other ? await intactThere(other.manifestDigest) : undefined;
      if (brokenHere || brokenThere) {
        result.identical = false;
        result.reason = brokenHere
          ? `${brokenHere}; run \`dray cache check --repair\`, then \`dray verify\` again`
          : `${brokenThere} (written by the build in the fresh copy)`;
      } else if (!other) result.reason = "not built in the copy";
      else if (!identical) {
        const difference = await explainImageDifference(
          { store: here, manifest: p.manifestDigest },
          { store: there, manifest: other.manifestDigest },
        );
        result.reason = !difference
          ? "the manifests differ but no difference was found in config or layers"
          : difference.kind === "compression"
            ? `layer ${difference.layer}: same content, different compressed bytes (the gzip output differs on this machine)`
            : describeDifference(difference);
      }
      results.push(result);
    }
  }
  return results;
}
