/**
 * Assembling images from layers and a runtime config: pure functions from values to values, no I/O.
 * Config, manifest and index bytes are produced once, with canonicalJson, and never change afterwards.
 * https://github.com/opencontainers/image-spec/blob/main/config.md and manifest.md, image-index.md
 */
import { UserError } from "../errors/index.js";
import { blobFromBytes } from "./blob.js";
import { canonicalJson } from "./canonical-json.js";
import { comparePlatforms, platformName } from "./platform.js";
import { mergeRuntimeConfig } from "./runtime-config.js";
import {
  type Descriptor,
  type Digest,
  type HistoryEntry,
  type Image,
  type ImageConfigFile,
  type ImageSet,
  type Layer,
  MediaType,
  type Platform,
  type RuntimeConfig,
} from "./types.js";

/** A base image read from a source: its config as stored and its (lazy) layers. */
export interface BaseImage {
  platform: Platform;
  config: ImageConfigFile;
  layers: Layer[];
  /** Digest of the base's manifest, recorded in the `org.opencontainers.image.base.digest` annotation. */
  manifestDigest: Digest;
}

/** Everything that decides an image's bytes. */
export interface ImageRecipe {
  platform: Platform;
  base?: BaseImage;
  /** dray's layers, stacked on the base's. */
  layers: Layer[];
  config: RuntimeConfig;
  /** Whole seconds since the epoch (SOURCE_DATE_EPOCH, else 0); the only time anywhere in the image. */
  created: number;
  /** Manifest annotations; dray's own keys (created, base digest) win over these. */
  annotations?: Record<string, string>;
}

/** https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys */
export const Annotation = {
  created: "org.opencontainers.image.created",
  baseDigest: "org.opencontainers.image.base.digest",
  refName: "org.opencontainers.image.ref.name",
} as const;

/** A config and manifest for one platform: base layers first, history kept in step with the layers. */
export function assembleImage(recipe: ImageRecipe): Image {
  const created = formatCreated(recipe.created);
  const { base, platform } = recipe;
  if (base) checkBase(base, platform);
  const layers = [...(base?.layers ?? []), ...recipe.layers];
  for (const layer of layers) checkLayerMediaType(layer);

  const configFile: ImageConfigFile = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    variant: platform.variant,
    config: mergeRuntimeConfig(base?.config.config, recipe.config),
    rootfs: { type: "layers", diff_ids: layers.map((layer) => layer.diffId) },
    history: [
      ...(base ? baseHistory(base, created) : []),
      ...recipe.layers.map((layer): HistoryEntry => ({ created, created_by: layer.comment })),
    ],
  };
  if (Object.keys(configFile.config ?? {}).length === 0) delete configFile.config;
  const config = blobFromBytes(MediaType.config, Buffer.from(canonicalJson(configFile)));

  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: config.descriptor,
    layers: layers.map((layer) => plainDescriptor(layer.blob.descriptor)),
    annotations: {
      ...recipe.annotations,
      [Annotation.created]: created,
      ...(base ? { [Annotation.baseDigest]: base.manifestDigest } : {}),
    },
  };
  return {
    platform: { ...platform },
    config,
    manifest: blobFromBytes(MediaType.manifest, Buffer.from(canonicalJson(manifest)), {
      platform: plainPlatform(platform),
    }),
    layers,
    id: config.descriptor.digest,
  };
}

/**
 * What a tag points at. One image: its manifest. Several: an image index over them, sorted by
 * (os, architecture, variant) so the index bytes do not depend on build order. `annotations` go on the
 * index, so they are only used when there is more than one image.
 */
export function assembleImageSet(images: readonly Image[], annotations?: Record<string, string>): ImageSet {
  if (images.length === 0) throw new Error("assembleImageSet: no images");
  const sorted = [...images].sort((a, b) => comparePlatforms(a.platform, b.platform));
  for (let i = 1; i < sorted.length; i++) {
    if (comparePlatforms(sorted[i - 1]!.platform, sorted[i]!.platform) === 0) {
      throw new Error(`assembleImageSet: two images for platform ${platformName(sorted[i]!.platform)}`);
    }
  }
  if (sorted.length === 1) return { images: sorted, top: sorted[0]!.manifest.descriptor };

  const index = {
    schemaVersion: 2,
    mediaType: MediaType.index,
    manifests: sorted.map((image) => ({
      ...plainDescriptor(image.manifest.descriptor),
      platform: plainPlatform(image.platform),
    })),
    annotations: annotations && Object.keys(annotations).length > 0 ? annotations : undefined,
  };
  const blob = blobFromBytes(MediaType.index, Buffer.from(canonicalJson(index)));
  return { images: sorted, index: blob, top: blob.descriptor };
}

/** RFC 3339 in UTC without fractional seconds, e.g. "1970-01-01T00:00:00Z". */
export function formatCreated(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`created must be whole seconds since the epoch, got ${seconds}`);
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function checkBase(base: BaseImage, platform: Platform): void {
  if (base.platform.os !== platform.os || base.platform.architecture !== platform.architecture) {
    throw new Error(
      `base image is ${platformName(base.platform)} but the image is ${platformName(platform)}`,
    );
  }
  const diffIds = base.config.rootfs.diff_ids;
  if (diffIds.length !== base.layers.length || diffIds.some((id, i) => id !== base.layers[i]!.diffId)) {
    throw new Error("base image: rootfs.diff_ids do not match its layers");
  }
}

/** Never mix Docker and OCI media types in one image (base.ts re-describes Docker layers as OCI). */
function checkLayerMediaType(layer: Layer): void {
  if (!layer.blob.descriptor.mediaType.startsWith("application/vnd.oci.image.layer.")) {
    throw new Error(
      `layer ${layer.blob.descriptor.digest} has non-OCI media type ${layer.blob.descriptor.mediaType}`,
    );
  }
}

/**
 * The base's history, kept, with one entry per base layer guaranteed: entries that are not `empty_layer`
 * must be as many as the layers, or tools that pair history with layers mislabel them.
 */
function baseHistory(base: BaseImage, created: string): HistoryEntry[] {
  const history = [...(base.config.history ?? [])];
  const counted = history.filter((entry) => !entry.empty_layer).length;
  if (counted > base.layers.length) {
    throw new UserError(
      `base image ${base.manifestDigest} is inconsistent: its history names ${counted} layers but it has ${base.layers.length}`,
    );
  }
  // A base without (complete) history gets entries for the layers it does not describe, at the end,
  // since nothing says which layers the existing entries belong to.
  for (const layer of base.layers.slice(counted)) history.push({ created, created_by: layer.comment });
  return history;
}

/** A descriptor with only the fields a manifest or index entry carries (no platform on layers). */
function plainDescriptor(descriptor: Descriptor): Descriptor {
  const { mediaType, digest, size, annotations } = descriptor;
  return { mediaType, digest, size, annotations };
}

function plainPlatform(platform: Platform): Platform {
  return { architecture: platform.architecture, os: platform.os, variant: platform.variant };
}
