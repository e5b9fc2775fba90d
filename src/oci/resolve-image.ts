/**
 * Following a tag to one image: index.json → (image index →) manifest → config. Reads OCI and Docker v2
 * media types, because base images come from anywhere; every blob is verified against its digest on read.
 */
import { ExitCode, UserError } from "../errors/errors.js";
import { isDigest } from "./digest.js";
import type { LayoutStore } from "./layout.js";
import { platformName } from "./platform.js";
import { type Descriptor, type ImageConfigFile, MediaType, type Platform } from "./types.js";

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

const INDEX_TYPES: readonly string[] = [MediaType.index, MediaType.dockerManifestList];
const MANIFEST_TYPES: readonly string[] = [MediaType.manifest, MediaType.dockerManifest];

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
  let descriptor = await store.resolve(ref);
  if (!descriptor) {
    const available = Object.keys(await store.listTags());
    throw new UserError(`no image tagged ${JSON.stringify(ref)} in ${store.root}`, {
      exitCode: ExitCode.usage,
      details: available.length > 0 ? `available: ${available.join(", ")}` : "the layout has no tags",
    });
  }
  // Nested indexes are legal; a few levels is plenty and bounds a malicious cycle.
  for (let depth = 0; INDEX_TYPES.includes(descriptor.mediaType); depth++) {
    if (depth === 4) throw new UserError(`${ref}: image indexes nested too deeply`);
    const index = await readJson<{ manifests?: Descriptor[] }>(store, descriptor, ref);
    descriptor = selectManifest(index.manifests ?? [], platform, ref);
  }
  if (!MANIFEST_TYPES.includes(descriptor.mediaType)) {
    throw new UserError(`${ref}: unsupported media type ${descriptor.mediaType}`);
  }
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
 * The entry for `platform`. A requested platform without variant matches an entry with one when that
 * entry is the only one for its os/architecture; arm64 without variant means arm64/v8.
 */
function selectManifest(manifests: Descriptor[], platform: Platform | undefined, ref: string): Descriptor {
  // Attestations and other non-images (platform unknown/unknown) are never candidates.
  const images = manifests.filter((m) => m.platform && m.platform.os !== "unknown" && isDigest(m.digest));
  const exact = platform ? images.filter((m) => samePlatform(m.platform!, platform)) : images;
  // Several entries for exactly the requested platform are duplicates; any of them will do.
  if (exact.length === 1 || (platform && exact.length > 1)) return exact[0]!;
  const loose =
    platform && platform.variant === undefined
      ? images.filter(
          (m) => m.platform!.os === platform.os && m.platform!.architecture === platform.architecture,
        )
      : [];
  if (loose.length === 1) return loose[0]!;
  const available = images.map((m) => platformName(m.platform!)).join(", ") || "none";
  let message = `${ref} is a multi-platform index; choose a platform`;
  if (platform) message = `${ref} has no image for ${platformName(platform)}`;
  else if (images.length === 0) message = `${ref} is an image index without images`;
  throw new UserError(message, { exitCode: ExitCode.usage, details: `available platforms: ${available}` });
}

/** Platforms are equal when os and architecture are, and variants are (arm64 without variant being v8). */
function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture && defaultVariant(a) === defaultVariant(b);
}

/** Many configs omit the variant even for arm/v7; only a variant that is present can contradict. */
function configMatches(config: ImageConfigFile, platform: Platform): boolean {
  if (config.os !== platform.os || config.architecture !== platform.architecture) return false;
  return config.variant === undefined || platform.variant === undefined || samePlatform(config, platform);
}

function defaultVariant(p: Platform): string {
  return p.variant ?? (p.architecture === "arm64" ? "v8" : "");
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
