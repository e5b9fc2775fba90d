/** An image's platforms, manifests and image IDs, read from the documents in a layout (pulled there first). */
import { UserError } from "../errors/index.js";
import {
  type Descriptor,
  type Digest,
  type ImageConfigFile,
  isDigest,
  type LayoutStore,
  type ManifestDocument,
  manifestKind,
  type Platform,
  platformName,
} from "../oci/index.js";
import type { ImageSummary } from "./image-match.js";

/** Reads `top` (an index or a manifest) and every platform manifest it lists from `store`. */
export async function readImageSummary(store: LayoutStore, top: Descriptor): Promise<ImageSummary> {
  const kind = manifestKind(top.mediaType);
  if (kind === undefined) throw new UserError(`${top.digest} is not an image (media type ${top.mediaType})`);
  if (kind === "manifest") {
    const { imageId, config } = await manifestOf(store, top.digest);
    return {
      kind,
      top: top.digest,
      platforms: [{ platform: platformName(config), manifest: top.digest, imageId }],
    };
  }
  const index = await readJson<{ manifests?: (Descriptor & { platform?: Platform })[] }>(store, top.digest);
  const platforms: ImageSummary["platforms"] = [];
  for (const entry of index.manifests ?? []) {
    if (!isDigest(entry.digest) || manifestKind(entry.mediaType) !== "manifest") continue;
    const { imageId, config } = await manifestOf(store, entry.digest);
    platforms.push({ platform: platformName(entry.platform ?? config), manifest: entry.digest, imageId });
  }
  return { kind, top: top.digest, platforms };
}

async function manifestOf(
  store: LayoutStore,
  digest: Digest,
): Promise<{ imageId: Digest; config: ImageConfigFile }> {
  const manifest = await readJson<ManifestDocument>(store, digest);
  if (!isDigest(manifest.config?.digest)) throw new UserError(`manifest ${digest} has no config`);
  return { imageId: manifest.config.digest, config: await readJson(store, manifest.config.digest) };
}

async function readJson<T>(store: LayoutStore, digest: Digest): Promise<T> {
  try {
    return JSON.parse((await store.readBlob(digest)).toString("utf8")) as T;
  } catch (error) {
    throw new UserError(`${digest} is not a readable JSON document`, { cause: error });
  }
}
