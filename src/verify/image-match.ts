/**
 * The verdict of a rebuild against a registry's image: is every manifest and image ID the same, and
 * when the input key already differs, which recorded settings the rebuild did not meet. Pure.
 */
import type { CacheEntry } from "../cache/index.js";
import { describeChange, diffIngredients, type Ingredients } from "../fingerprint/index.js";
import type { Digest } from "../oci/index.js";
import type { ProvenanceClaim } from "./provenance-claim.js";

/** An image as a registry holds it: an index of platform manifests, or one manifest. */
export interface ImageSummary {
  kind: "index" | "manifest";
  top: Digest;
  platforms: { platform: string; manifest: Digest; imageId: Digest }[];
}

/** One platform's image in the registry against the rebuild's. */
export interface PlatformMatch {
  platform: string;
  registry: { imageId: Digest; manifestDigest: Digest };
  rebuilt: { imageId: Digest; manifestDigest: Digest } | undefined;
  identical: boolean;
  /** Why they differ, in one line; absent when identical. */
  reason?: string;
}

/** The whole image: the top digest and every platform. */
export interface ImageMatch {
  top: { registry: Digest; rebuilt: Digest | undefined; identical: boolean };
  platforms: PlatformMatch[];
  identical: boolean;
}

/** Compares the registry's image with the rebuilt entry, platform by platform. */
export function matchImages(registry: ImageSummary, rebuilt: CacheEntry): ImageMatch {
  const byPlatform = new Map(rebuilt.platforms.map((p) => [p.platform, p]));
  const platforms = registry.platforms.map((r): PlatformMatch => {
    const mine = byPlatform.get(r.platform);
    const match: PlatformMatch = {
      platform: r.platform,
      registry: { imageId: r.imageId, manifestDigest: r.manifest },
      rebuilt: mine ? { imageId: mine.imageId, manifestDigest: mine.manifest.digest } : undefined,
      identical: mine !== undefined && mine.imageId === r.imageId && mine.manifest.digest === r.manifest,
    };
    if (!mine) match.reason = "the rebuild has no image for this platform";
    return match;
  });
  // A single manifest pushed from a multi-platform build (a platform's own digest) matches that
  // platform's manifest; an index, or a one-platform service's manifest, matches the rebuild's top.
  const counterpart =
    registry.kind === "manifest" && rebuilt.platforms.length > 1
      ? byPlatform.get(registry.platforms[0]?.platform ?? "")?.manifest.digest
      : rebuilt.top.digest;
  const top = { registry: registry.top, rebuilt: counterpart, identical: counterpart === registry.top };
  return { top, platforms, identical: top.identical && platforms.every((p) => p.identical) };
}

/**
 * Why the rebuild's input key is not the recorded one, one line per difference: a platform missing
 * on either side, or a recorded setting (toolchain, flags, base digest, a version stamp…) that differs.
 * Files and modules are not listed in provenance: when every setting matches, that is what is left.
 */
export function keyDifferences(claim: ProvenanceClaim, rebuilt: CacheEntry): string[] {
  if (rebuilt.key === claim.inputKey) return [];
  const lines: string[] = [];
  const byPlatform = new Map(rebuilt.platforms.map((p) => [p.platform, p]));
  for (const recorded of claim.platforms) {
    const mine = byPlatform.get(recorded.platform);
    if (!mine) {
      lines.push(`${recorded.platform}: recorded, but the checkout's dray.yaml does not build it`);
      continue;
    }
    if (mine.key === recorded.inputKey) continue;
    const as = (settings: Record<string, string>): Ingredients => ({
      ...mine.ingredients,
      settings,
      files: {},
      packages: {},
      modules: {},
    });
    const changes = diffIngredients(as(recorded.settings), as(mine.ingredients.settings));
    if (changes.length === 0)
      lines.push(`${recorded.platform}: the same settings; the files or Go modules it is built from differ`);
    for (const change of changes) lines.push(`${recorded.platform}: ${describeChange(change)}`);
  }
  // A statement about one platform's manifest records that platform alone: the others are not missing.
  const aboutIndex = claim.subjects.length > 1;
  for (const mine of aboutIndex ? rebuilt.platforms : []) {
    if (!claim.platforms.some((p) => p.platform === mine.platform))
      lines.push(`${mine.platform}: built from the checkout, but not recorded`);
  }
  if (lines.length === 0)
    lines.push(
      aboutIndex
        ? "the platform keys match, but not the key that combines them"
        : "the service's key differs on a platform this statement does not record",
    );
  return lines;
}
