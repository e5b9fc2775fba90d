/**
 * The shared build cache in the registry (`cache: registry`): a local miss asks the registry for
 * the input key; a hit pulls the image into the local layout (every blob verified) instead of
 * building it, so a fresh CI machine does not rebuild what a teammate already pushed.
 */
import type { ResolvedConfig } from "../config/types.js";
import type { LayoutStore } from "../oci/layout.js";
import type { Digest } from "../oci/types.js";
import { repositoryOf } from "../publish/target.js";
import { pullImage } from "../registry/pull.js";
import { lookupCacheEntry } from "../registry/registry-cache.js";
import type { RegistryClient } from "../registry/types.js";
import type { CacheEntry } from "./entry.js";

/** Looks a service's key up in a cache outside this machine. */
export interface RemoteCache {
  lookup(service: string, key: Digest): Promise<CacheEntry | undefined>;
}

/** The registry as a build cache for `config`'s services, pulling hits into `layout`. */
export function registryCache(
  config: ResolvedConfig,
  client: RegistryClient,
  layout: LayoutStore,
): RemoteCache {
  const target = config.registry!;
  return {
    async lookup(service, key) {
      const repository = repositoryOf(target, service);
      const entry = await lookupCacheEntry(client, repository, key);
      if (!entry) return undefined;
      await pullImage({ client, repository, digest: entry.top.digest, into: layout });
      return entry;
    },
  };
}
