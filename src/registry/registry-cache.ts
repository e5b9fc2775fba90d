/**
 * The build cache shared through a registry: after a push, "input key → image" is stored next to the image
 * as an OCI artifact (image-spec v1.1, "Guidelines for Artifact Usage"), tagged by the key, so that a
 * machine with an empty local cache can find the image and skip the build.
 * The artifact's config blob is the cache entry (canonical JSON); its `subject` is the image, so
 * registries with the referrers API list it with the image and clean it up with it.
 * https://github.com/opencontainers/image-spec/blob/main/manifest.md
 */

import type { CacheEntry } from "../cache/index.js";
import { parseEntry } from "../cache/index.js";
import {
  canonicalJson,
  type Descriptor,
  type Digest,
  digestHex,
  isDigest,
  MediaType,
  sha256Digest,
} from "../oci/index.js";
import type { RegistryClient } from "./types.js";
import { plainDescriptor } from "./walk.js";

/** The artifactType and config mediaType of a cache entry artifact. */
export const CACHE_ENTRY_MEDIA_TYPE = "application/vnd.dray.cache.entry.v1+json";

/**
 * The empty descriptor: "For portability, layers SHOULD have at least one entry", and this is the
 * content the spec suggests for an artifact that has none (manifest.md, "Guidance for an Empty Descriptor").
 * Distribution 2.8 accepts an empty list too; other registries may not.
 */
const EMPTY_JSON = Buffer.from("{}");
const EMPTY_DESCRIPTOR: Descriptor = {
  mediaType: "application/vnd.oci.empty.v1+json",
  digest: sha256Digest(EMPTY_JSON),
  size: EMPTY_JSON.length,
};

/** An entry is a few KB; anything far larger is not one of ours and is not downloaded. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * The tag a key's entry is stored under: "drk-" and the first 60 hex digits of the key (240 bits), inside
 * the tag grammar `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. Lookups compare the full key stored in the entry.
 */
export function cacheTag(key: Digest): string {
  return `drk-${digestHex(key).slice(0, 60)}`;
}

/**
 * The tag that follows the entry stored last in a repository: where a sharded CI build reads how long
 * a service took to build before, when its new key has no entry yet. Outside the `drk-<hex>` keys.
 */
export const LAST_ENTRY_TAG = "drk-last";

/**
 * Stores `entry` in `repository` under cacheTag(entry.key), and moves LAST_ENTRY_TAG to it. Push the image first: the artifact names it
 * as its subject, and a lookup treats an entry whose image is gone as a miss.
 */
export async function storeCacheEntry(
  client: RegistryClient,
  repository: string,
  entry: CacheEntry,
): Promise<void> {
  const config = Buffer.from(canonicalJson(entry));
  const configDescriptor: Descriptor = {
    mediaType: CACHE_ENTRY_MEDIA_TYPE,
    digest: sha256Digest(config),
    size: config.length,
  };
  for (const [descriptor, data] of [
    [configDescriptor, config],
    [EMPTY_DESCRIPTOR, EMPTY_JSON],
  ] as const) {
    if (await client.hasBlob(repository, descriptor.digest)) continue;
    await client.uploadBlob(repository, { descriptor, bytes: async () => data });
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    artifactType: CACHE_ENTRY_MEDIA_TYPE,
    config: configDescriptor,
    layers: [EMPTY_DESCRIPTOR],
    subject: plainDescriptor(entry.top),
  };
  const bytes = Buffer.from(canonicalJson(manifest));
  await client.putManifest(repository, cacheTag(entry.key), MediaType.manifest, bytes);
  await client.putManifest(repository, LAST_ENTRY_TAG, MediaType.manifest, bytes);
}

/**
 * The entry stored for `key`, or undefined when there is none, when it is not a valid entry for this key,
 * or when the image it names is no longer in the repository. Other registry failures are thrown: the
 * caller decides whether an unreachable cache is a miss.
 */
export async function lookupCacheEntry(
  client: RegistryClient,
  repository: string,
  key: Digest,
): Promise<CacheEntry | undefined> {
  const entry = await readEntry(client, repository, cacheTag(key), key);
  if (!entry) return undefined;
  const image = await client.headManifest(repository, entry.top.digest);
  return image ? entry : undefined;
}

/**
 * The entry stored last in `repository` (LAST_ENTRY_TAG), whatever its key, or undefined. Only for
 * what it says about the past (how long a build took); its image is not looked for.
 */
export async function lookupLastEntry(
  client: RegistryClient,
  repository: string,
): Promise<CacheEntry | undefined> {
  return readEntry(client, repository, LAST_ENTRY_TAG, undefined);
}

/** The valid entry the artifact tagged `tag` holds: for `key`, or for the key it names itself. */
async function readEntry(
  client: RegistryClient,
  repository: string,
  tag: string,
  key: Digest | undefined,
): Promise<CacheEntry | undefined> {
  const fetched = await missingAsUndefined(client.getManifest(repository, tag));
  if (!fetched) return undefined;
  const config = entryConfig(fetched.bytes);
  if (!config) return undefined;
  const data = await missingAsUndefined(client.getBlob(repository, config.digest));
  if (!data || data.length !== config.size || sha256Digest(data) !== config.digest) return undefined;
  const text = data.toString("utf8");
  const entry = parseEntry(text, key ?? ownKey(text));
  return entry && wellFormed(entry) ? entry : undefined;
}

/** The key an entry's text names, for parseEntry to check it against its platforms' keys. */
function ownKey(text: string): Digest {
  try {
    const key = (JSON.parse(text) as { key?: unknown }).key;
    return isDigest(key) ? key : ("" as Digest);
  } catch {
    return "" as Digest;
  }
}

/** The config descriptor if `bytes` is one of our artifacts. */
function entryConfig(bytes: Buffer): Descriptor | undefined {
  let manifest: { artifactType?: unknown; config?: Partial<Descriptor> };
  try {
    manifest = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  const config = manifest?.config;
  if (
    typeof config !== "object" ||
    config === null ||
    config.mediaType !== CACHE_ENTRY_MEDIA_TYPE ||
    !isDigest(config.digest) ||
    !Number.isSafeInteger(config.size) ||
    config.size! <= 0 ||
    config.size! > MAX_ENTRY_BYTES
  ) {
    return undefined;
  }
  return config as Descriptor;
}

/** Beyond parseEntry's shape check: every descriptor the caller will tag or pull by must be usable. */
function wellFormed(entry: CacheEntry): boolean {
  const descriptorOk = (d: Descriptor | undefined) =>
    typeof d === "object" &&
    d !== null &&
    typeof d.mediaType === "string" &&
    isDigest(d.digest) &&
    Number.isSafeInteger(d.size) &&
    d.size > 0;
  return (
    descriptorOk(entry.top) &&
    entry.platforms.every((p) => descriptorOk(p?.manifest) && isDigest(p.imageId) && isDigest(p.key))
  );
}

/** A 404 (no such tag, blob or repository) is a cache miss; anything else is the caller's problem. */
async function missingAsUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return undefined;
    throw error;
  }
}
