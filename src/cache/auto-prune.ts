/** Keeping the cache bounded without anyone running `dray cache prune`: builds call this when they finish. */
import type { LayoutStore } from "../oci/index.js";
import type { BuildCache } from "./build-cache.js";
import type { PruneResult } from "./prune.js";
import { defaultCacheLimit } from "./size.js";
import { readCacheBytes } from "./size-file.js";

/**
 * Prunes to the limit (DRAY_CACHE_MAX, else 5 GiB) only when the cache is over it; undefined when it is
 * not. The check reads size.json, not every entry; when size.json is missing or unreadable the size is
 * unknown, so it prunes, which also rewrites size.json exactly.
 */
export async function maybeAutoPrune(
  cache: BuildCache,
  layout: LayoutStore,
  env: NodeJS.ProcessEnv,
): Promise<PruneResult | undefined> {
  const limit = defaultCacheLimit(env);
  const bytes = await readCacheBytes(cache.dir);
  if (bytes !== undefined && bytes <= limit) return undefined;
  return cache.prune({ maxBytes: limit, layout });
}
