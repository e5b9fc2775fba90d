import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { keyed } from "../../test/support/cache-entry.js";
import {
  createFakeRegistryClient,
  type FakeRegistryClient,
} from "../../test/support/fake-registry-client.js";
import { writeSampleImage } from "../../test/support/sample-image.js";
import type { CacheEntry } from "../cache/entry.js";
import { RemoteError } from "../errors/errors.js";
import { canonicalJson } from "../oci/canonical-json.js";
import { sha256Digest } from "../oci/digest.js";
import { type Digest, type ImageSet, MediaType } from "../oci/types.js";
import { pushImage } from "./push.js";
import {
  CACHE_ENTRY_MEDIA_TYPE,
  cacheTag,
  lookupCacheEntry,
  lookupLastEntry,
  storeCacheEntry,
} from "./registry-cache.js";

/** The entry's key, as its platforms' keys combine into it (a cache ignores an entry whose key does not). */
let KEY: Digest;
let temp: string;
let client: FakeRegistryClient;
let set: ImageSet;
let entry: CacheEntry;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-rcache-"));
  client = createFakeRegistryClient();
  const written = await writeSampleImage(path.join(temp, "oci"));
  set = written.set;
  await pushImage({ client, repository: "shop/api", source: written.store, top: set.top, tags: ["v1"] });
  entry = keyed({
    service: "api",
    top: set.top,
    platforms: set.images.map((image) => ({
      platform: `${image.platform.os}/${image.platform.architecture}`,
      key: sha256Digest(image.platform.architecture),
      imageId: image.id,
      manifest: image.manifest.descriptor,
      size: 1,
      ingredients: { format: 2, platform: "linux/amd64", settings: {}, files: {}, packages: {}, modules: {} },
    })),
    blobs: [{ digest: set.top.digest, size: set.top.size }],
    createdAt: 1_700_000_000_000,
  });
  KEY = entry.key;
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** Replace the stored entry's config blob with `text`, keeping the manifest well-formed. */
async function storeRawConfig(text: string): Promise<void> {
  const data = Buffer.from(text);
  const config = { mediaType: CACHE_ENTRY_MEDIA_TYPE, digest: sha256Digest(data), size: data.length };
  await client.uploadBlob("shop/api", { descriptor: config, bytes: async () => data });
  const manifest = { schemaVersion: 2, mediaType: MediaType.manifest, config, layers: [] };
  await client.putManifest(
    "shop/api",
    cacheTag(KEY),
    MediaType.manifest,
    Buffer.from(canonicalJson(manifest)),
  );
}

describe("cacheTag", () => {
  it("is a valid tag that names the key", () => {
    const tag = cacheTag(KEY);
    expect(tag).toBe(`drk-${KEY.slice(7, 67)}`);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
  });
});

describe("lookupLastEntry", () => {
  it("finds the entry stored last, with its build time and shard mark, whatever its key", async () => {
    expect(await lookupLastEntry(client, "shop/api")).toBeUndefined();
    const timed = { ...entry, buildMs: 4200, shard: { run: sha256Digest("run"), cost: 3000 } };
    await storeCacheEntry(client, "shop/api", timed);
    expect(await lookupLastEntry(client, "shop/api")).toEqual(timed);
    // The pointer moves; the entry under its key stays.
    const later = keyed({
      ...timed,
      buildMs: 900,
      platforms: [{ ...timed.platforms[0]!, key: sha256Digest("b") }],
    });
    await storeCacheEntry(client, "shop/api", later);
    expect((await lookupLastEntry(client, "shop/api"))?.buildMs).toBe(900);
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toEqual(timed);
  });

  it("ignores an entry whose content does not match the key it names", async () => {
    const forged = { ...entry, key: sha256Digest("forged") };
    await storeCacheEntry(client, "shop/api", forged);
    expect(await lookupLastEntry(client, "shop/api")).toBeUndefined();
  });
});

describe("storeCacheEntry and lookupCacheEntry", () => {
  it("round-trips an entry", async () => {
    await storeCacheEntry(client, "shop/api", entry);
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toEqual(entry);
  });

  it("stores an OCI artifact whose subject is the image", async () => {
    await storeCacheEntry(client, "shop/api", entry);
    const fetched = await client.getManifest("shop/api", cacheTag(KEY));
    const manifest = JSON.parse(fetched.bytes.toString("utf8"));
    expect(manifest).toMatchObject({
      mediaType: MediaType.manifest,
      artifactType: CACHE_ENTRY_MEDIA_TYPE,
      config: { mediaType: CACHE_ENTRY_MEDIA_TYPE },
      layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest("{}"), size: 2 }],
      subject: { mediaType: set.top.mediaType, digest: set.top.digest, size: set.top.size },
    });
    const config = await client.getBlob("shop/api", manifest.config.digest);
    expect(config.toString()).toBe(canonicalJson(entry));
  });

  it("is a miss when nothing is stored, or the repository does not exist", async () => {
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toBeUndefined();
    expect(await lookupCacheEntry(client, "shop/nothing", KEY)).toBeUndefined();
  });

  it.each([
    ["not JSON", "{"],
    ["stored under another key", () => canonicalJson({ ...entry, key: sha256Digest("other") })],
    [
      "a malformed top digest",
      () => canonicalJson({ ...entry, top: { ...entry.top, digest: "sha256:xyz" } }),
    ],
    [
      "a malformed manifest digest",
      () => canonicalJson({ ...entry, platforms: [{ ...entry.platforms[0], manifest: {} }] }),
    ],
    ["missing fields", () => canonicalJson({ key: KEY })],
  ])("is a miss for an entry that is %s", async (_, content) => {
    await storeRawConfig(typeof content === "function" ? content() : content);
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toBeUndefined();
  });

  it("is a miss when the artifact is not a cache entry", async () => {
    await client.putManifest(
      "shop/api",
      cacheTag(KEY),
      set.top.mediaType,
      (await client.getManifest("shop/api", "v1")).bytes,
    );
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toBeUndefined();
  });

  it("is a miss when the image it names is gone", async () => {
    await storeCacheEntry(client, "shop/api", entry);
    client.repository("shop/api").manifests.delete(set.top.digest);
    expect(await lookupCacheEntry(client, "shop/api", KEY)).toBeUndefined();
  });

  it("passes on failures other than not-found", async () => {
    await storeCacheEntry(client, "shop/api", entry);
    client.failWhen = (call) =>
      call.method === "getManifest" ? new RemoteError("unavailable", { status: 503 }) : undefined;
    await expect(lookupCacheEntry(client, "shop/api", KEY)).rejects.toThrow("unavailable");
  });

  it("uploads the entry once when stored twice", async () => {
    await storeCacheEntry(client, "shop/api", entry);
    client.calls.length = 0;
    await storeCacheEntry(client, "shop/api", entry);
    expect(client.calls.filter((c) => c.method === "uploadBlob")).toEqual([]);
  });
});
