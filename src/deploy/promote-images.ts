/**
 * An image read from a registry, in the shape a deploy reads a build: the top descriptor and, per
 * platform, its manifest and config digest (the image ID). The documents were checked against
 * their digests when they were fetched (src/registry/copy.ts). Pure.
 */
import type { CacheEntry } from "../cache/index.js";
import type { Descriptor, Digest, Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";

interface ImageDocument {
  manifests?: (Descriptor & { platform?: Platform })[];
  config?: Descriptor;
}

function parsed(documents: ReadonlyMap<Digest, Buffer>, digest: Digest): ImageDocument {
  const bytes = documents.get(digest);
  if (!bytes) throw new Error(`internal: document ${digest} was not fetched`);
  return JSON.parse(bytes.toString("utf8")) as ImageDocument;
}

/** The platform a single manifest is for, from its config's os and architecture. */
function configPlatform(documents: ReadonlyMap<Digest, Buffer>, config: Descriptor): string {
  const { os, architecture, variant } = parsed(documents, config.digest) as Partial<Platform>;
  return platformName({
    os: os ?? "unknown",
    architecture: architecture ?? "unknown",
    ...(variant ? { variant } : {}),
  });
}

/**
 * `service`'s image `top` as a deploy reads a cache entry. It was not built here, so it has no
 * input key or ingredients: its key is its digest, and nothing reads the rest.
 */
export function entryFromRegistry(
  service: string,
  top: Descriptor,
  documents: ReadonlyMap<Digest, Buffer>,
): CacheEntry {
  const document = parsed(documents, top.digest);
  const images = document.manifests
    ? document.manifests.filter((m) => m.platform && documents.has(m.digest))
    : [top];
  const platforms = images.map((manifest) => {
    const config = parsed(documents, manifest.digest).config;
    if (!config) throw new Error(`internal: ${manifest.digest} has no config`);
    const platform =
      "platform" in manifest && manifest.platform
        ? platformName(manifest.platform)
        : configPlatform(documents, config);
    return {
      platform,
      key: top.digest,
      imageId: config.digest,
      manifest: { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size },
      size: 0,
      ingredients: { format: 0, platform, settings: {}, files: {}, packages: {}, modules: {} },
    };
  });
  return {
    key: top.digest,
    service,
    top,
    platforms,
    blobs: [],
    createdAt: 0,
  };
}
