/**
 * Following a tag to one image: index.json → (image index →) manifest → config. Reads OCI and Docker v2
 * media types, because base images come from anywhere; every blob is verified against its digest on read.
 */
import { ExitCode, UserError } from "../errors/index.js";
import { isDigest } from "./digest.js";
import type { LayoutStore } from "./layout-store.js";
import { platformName, samePlatform, selectPlatform } from "./platform.js";
import type { Descriptor, ImageConfigFile, Platform } from "./types.js";
import { manifestKind, walkManifests } from "./walk.js";

/** A manifest as stored: OCI or Docker schema 2 (same shape). */
export interface ManifestDocument {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** One image found by ref (and platform): its manifest's descriptor, the manifest and the config. */
export interface ResolvedImage {
  descriptor: Descriptor;
  manifest: ManifestDocument;
  config: ImageConfigFile;
}

/** Nested indexes are legal; a few levels is plenty and bounds a malicious document. */
const MAX_DEPTH = 4;

/**
 * The image `ref` names in the layout. When `ref` points at a multi-platform index, `platform` chooses
 * (it may be left out when the index has only one image); a missing ref or platform is a UserError that
 * lists what there is.
 */
export async function resolveImage(
  store: LayoutStore,
  ref: string,
  platform?: Platform,
): Promise<ResolvedImage> {
  const top = await store.resolve(ref);
  if (!top) {
    const available = Object.keys(await store.listTags());
    throw new UserError(`no image tagged ${JSON.stringify(ref)} in ${store.root}`, {
      exitCode: ExitCode.usage,
      details: available.length > 0 ? `available: ${available.join(", ")}` : "the layout has no tags",
    });
  }
  // One path down: each index is left through its one entry for the platform, until a manifest.
  let descriptor = top;
  await walkManifests([top], {
    async open(next, depth) {
      const kind = manifestKind(next.mediaType);
      if (kind === undefined) throw new UserError(`${ref}: unsupported media type ${next.mediaType}`);
      descriptor = next;
      if (kind === "manifest") return [];
      if (depth === MAX_DEPTH) throw new UserError(`${ref}: image indexes nested too deeply`);
      const index = await readJson<{ manifests?: Descriptor[] }>(store, next, ref);
      return [selectManifest(index.manifests ?? [], platform, ref)];
    },
  });
  const manifest = await readJson<ManifestDocument>(store, descriptor, ref);
  if (!manifest.config || !Array.isArray(manifest.layers)) throw new UserError(`${ref}: malformed manifest`);
  const config = await readJson<ImageConfigFile>(store, manifest.config, ref);
  if (!Array.isArray(config.rootfs?.diff_ids) || !config.rootfs.diff_ids.every(isDigest)) {
    throw new UserError(`${ref}: malformed image config (rootfs.diff_ids)`);
  }
  if (platform && !configMatches(config, platform)) {
    throw new UserError(`${ref} is ${platformName(config)}, not ${platformName(platform)}`, {
      exitCode: ExitCode.usage,
      hint: "choose a base image that is published for this platform",
    });
  }
  return { descriptor, manifest, config };
}

/**
 * The entry for `platform` (see selectPlatform): one of the same platform, or, for a request
 * without a variant, the only entry for its os and architecture.
 */
function selectManifest(manifests: Descriptor[], platform: Platform | undefined, ref: string): Descriptor {
  // Attestations and other non-images (platform unknown/unknown) are never candidates.
  const images = manifests.filter((m) => m.platform && m.platform.os !== "unknown" && isDigest(m.digest));
  const chosen = platform ? selectPlatform(images, platform, (m) => m.platform!) : images;
  // Several entries for exactly the requested platform are duplicates; any of them will do. Several
  // that only share its os and architecture are a choice this function will not make.
  const duplicates = platform && chosen.length > 1 && samePlatform(chosen[0]!.platform!, platform);
  if (chosen.length === 1 || duplicates) return chosen[0]!;
  const available = images.map((m) => platformName(m.platform!)).join(", ") || "none";
  let message = `${ref} is a multi-platform index; choose a platform`;
  if (platform) message = `${ref} has no image for ${platformName(platform)}`;
  else if (images.length === 0) message = `${ref} is an image index without images`;
  throw new UserError(message, { exitCode: ExitCode.usage, details: `available platforms: ${available}` });
}

/** Many configs omit the variant even for arm/v7; only a variant that is present can contradict. */
function configMatches(config: ImageConfigFile, platform: Platform): boolean {
  if (config.os !== platform.os || config.architecture !== platform.architecture) return false;
  return config.variant === undefined || platform.variant === undefined || samePlatform(config, platform);
}

async function readJson<T>(store: LayoutStore, descriptor: Descriptor, ref: string): Promise<T> {
  if (!isDigest(descriptor.digest))
    throw new UserError(`${ref}: malformed digest ${String(descriptor.digest)}`);
  const bytes = await store.readBlob(descriptor.digest);
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch (error) {
    throw new UserError(`${ref}: blob ${descriptor.digest} is not valid JSON`, { cause: error });
  }
}
