/**
 * The build cache stage: input key → built image, in `<project>/.dray/cache`, bounded in size with
 * least-recently-used eviction and garbage collection of the image layout.
 */
export { maybeAutoPrune } from "./auto-prune.js";
export {
  type BuildCache,
  type CacheInfo,
  type OpenBuildCacheOptions,
  openBuildCache,
} from "./build-cache.js";
export { type CacheCheckReport, type CheckedLayout, type CheckProblem, checkCache } from "./check.js";
export { type DistributionEntry, distributionEntry, type FormDeps } from "./distribution-form.js";
export { type CacheEntry, entryFor, platformTag, type ShardMark, sameImages, tagsForEntry } from "./entry.js";
export { parseEntry } from "./entry-file.js";
export {
  entriesInDistributionForm,
  entryInDistributionForm,
  manifestsInDistributionForm,
  openLayerCompressor,
  type ProjectState,
} from "./form-here.js";
export { type CacheHit, type CacheSource, type ImageCache, localImageCache } from "./image-cache.js";
export { readLastFile } from "./last-file.js";
export {
  type CompressedLayer,
  type CompressionStats,
  type LayerCompressor,
  layerCompressor,
} from "./layer-compressor.js";
export type { PruneOptions, PruneResult } from "./prune.js";
export {
  CACHE_LIMIT_VARIABLE,
  DEFAULT_CACHE_LIMIT,
  defaultCacheLimit,
  parseSize,
  parseSizeOrThrow,
  SIZE_FORMS,
} from "./size.js";
