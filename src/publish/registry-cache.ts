/**
 * The shared build cache in the registry (`cache: registry`), as a decorator of the local cache:
 * a local miss asks the registry for the input key; a hit pulls the image into the local layout
 * (every blob verified) and records it locally, so a fresh CI machine does not rebuild what a
 * teammate already pushed.
 */
import type { BuildCache, ImageCache } from "../cache/index.js";
import type { ResolvedConfig } from "../config/index.js";
import type { LayoutStore } from "../oci/index.js";
import type { RegistryClient } from "../registry/index.js";
import { lookupCacheEntry, pullImage } from "../registry/index.js";
import type { Tracer } from "../report/index.js";
import { repositoryOf } from "./target.js";

/** What the registry cache needs: the project's registry, a client for it, and where hits go. */
export interface RegistryCacheOptions {
  config: ResolvedConfig;
  client: RegistryClient;
  layout: LayoutStore;
}

/** A factory that puts the registry behind a local cache; built once a run has a registry client. */
export interface RegistryCache {
  /** `local`, asking the registry on a miss and recording its hits in `record`. */
  behind(local: ImageCache, record: BuildCache, tracer: Tracer): ImageCache;
}

/** The registry as a build cache for `config`'s services, pulling hits into `layout`. */
export function registryCache({ config, client, layout }: RegistryCacheOptions): RegistryCache {
  const target = config.registry!;
  return {
    behind(local, record, tracer) {
      return {
        async lookup(service, key) {
          const hit = await local.lookup(service, key);
          if (hit) return hit;
          const entry = await tracer.span(
            "remote cache",
            async () => {
              const repository = repositoryOf(target, service);
              const found = await lookupCacheEntry(client, repository, key);
              if (found) await pullImage({ client, repository, digest: found.top.digest, into: layout });
              return found;
            },
            { subject: service },
          );
          if (!entry) return undefined;
          await record.put(entry);
          return { entry, source: "registry" };
        },
      };
    },
  };
}
