/**
 * The OCI stage: layers from files, images from layers, and the local image layout as source and sink.
 * Everything here is deterministic: same inputs, same bytes (see docs/determinism.md).
 */
export { readBaseFromLayout } from "./base.js";
export { blobFromBytes } from "./blob.js";
export type { BlobState } from "./blob-file.js";
export type { BlobSource } from "./blob-source.js";
export { withDocuments } from "./blob-source.js";
export { canonicalJson, compareBytes, compareCodeUnits } from "./canonical-json.js";
export { type CollectOptions, collectDirectory, collectFile } from "./collect.js";
export { DIGEST_GRAMMAR, digestHex, isDigest, sha256Digest } from "./digest.js";
export { distributionIndex, distributionManifest, uncompressedLayers } from "./distribution.js";
export { COMPRESSOR_ID, type Compressed, DISTRIBUTION_COMPRESSOR, gzipToFile } from "./distribution-gzip.js";
export { DEFAULT_GZIP_LEVEL, gzipDeterministic, gzipDeterministicAsync } from "./gzip.js";
export {
  Annotation,
  assembleImage,
  assembleImageSet,
  type BaseImage,
  formatCreated,
  type ImageRecipe,
} from "./image.js";
export { createLayer, type LayerOptions, layerFromBlob, layerFromParts, packLayer } from "./layer.js";
export { type LayoutStore, type OpenLayoutOptions, openLayout } from "./layout.js";
export {
  type BlobFault,
  type BrokenTag,
  blobFilePath,
  checkLayout,
  type LayoutCheck,
} from "./layout-check.js";
export { reachableFrom } from "./layout-gc.js";
export { blobFromPackedFile, isPackedBlob, type PackedBlob } from "./packed-blob.js";
export {
  comparePlatforms,
  isPlatformName,
  normalizePlatform,
  PLATFORMS,
  type PlatformName,
  parsePlatform,
  platformName,
  samePlatform,
  selectPlatform,
} from "./platform.js";
export {
  assertManifestReference,
  assertRegistryHost,
  assertRepository,
  formatReference,
  IMAGE_REFERENCE_PATTERN,
  type ImageReference,
  isImageReference,
  isRegistryHost,
  isRepository,
  isRepositoryComponent,
  isTag,
  lacksRegistryHost,
  parseReference,
  parseRegistryPlace,
  REGISTRY_PLACE_PATTERN,
  type RegistryPlace,
  repositoryIn,
  splitHostPort,
} from "./reference.js";
export { type ManifestDocument, type ResolvedImage, resolveImage } from "./resolve-image.js";
export { mergeEnv, mergeRuntimeConfig } from "./runtime-config.js";
export { type FileSource, normalizeMode, type TarEntry, type TarOptions, writeTar } from "./tar.js";
export { tarStream } from "./tar-stream.js";
export * from "./types.js";
export {
  MANIFEST_MEDIA_TYPES,
  type ManifestFields,
  type ManifestKind,
  type ManifestVisitor,
  manifestKind,
  namedIn,
  walkManifests,
} from "./walk.js";
