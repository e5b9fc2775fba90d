/**
 * pullImage and the registry build cache against a real registry (CNCF distribution 2.8), and a pushed
 * image pulled by digest and run by Docker's engine.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CacheEntry } from "../../src/cache/entry.js";
import { sha256Digest } from "../../src/oci/digest.js";
import { openLayout } from "../../src/oci/layout.js";
import { pullImage, resolveRemote } from "../../src/registry/pull.js";
import { pushImage } from "../../src/registry/push.js";
import { lookupCacheEntry, storeCacheEntry } from "../../src/registry/registry-cache.js";
import { keyed } from "../support/cache-entry.js";
import { buildGoServerImage, GREETING, runImageInDocker } from "../support/go-server-image.js";
import { type RegistryFixture, startRegistryFixture } from "../support/registry-fixture.js";
import { AMD64, setBlobs } from "../support/sample-image.js";

let f: RegistryFixture;
beforeAll(async () => {
  f = await startRegistryFixture();
});
afterAll(async () => {
  await f?.stop();
});

describe("pullImage against a real registry", () => {
  it("pulls a pushed image into an empty layout with the same digests", async () => {
    const { store, set } = await f.sample({ app: "pull" });
    await pushImage({ client: f.direct, repository: "shop/pull", source: store, top: set.top, tags: ["v1"] });
    const top = await resolveRemote(f.viaProxy, "shop/pull", "v1");
    expect(top).toEqual({ mediaType: set.top.mediaType, digest: set.top.digest, size: set.top.size });
    const into = await openLayout(path.join(f.temp, "pulled"), { create: true });
    f.proxy.reset();
    const result = await pullImage({
      client: f.viaProxy,
      repository: "shop/pull",
      digest: top.digest,
      into,
      tag: "api",
    });
    const expected = [...setBlobs(set)].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    expect((await into.listBlobs()).map((b) => [b.digest, b.size])).toEqual(expected);
    expect(result.bytesFetched).toBe(expected.reduce((sum, [, size]) => sum + size, 0));
    expect(await into.resolve("api")).toEqual(top);
    const stats = f.proxy.stats();
    expect(stats.responseBytes.blob + stats.responseBytes.manifest).toBeGreaterThanOrEqual(
      result.bytesFetched,
    );

    // Pulling again fetches only the top manifest.
    f.proxy.reset();
    const again = await pullImage({ client: f.viaProxy, repository: "shop/pull", digest: top.digest, into });
    expect(again.bytesFetched).toBe(top.size);
    expect(f.proxy.stats().responseBytes.blob).toBe(0);
  });

  it("pulls one platform of an index", async () => {
    const { store, set } = await f.sample({ app: "one platform" });
    await pushImage({
      client: f.direct,
      repository: "shop/multi",
      source: store,
      top: set.top,
      tags: ["v1"],
    });
    const into = await openLayout(path.join(f.temp, "amd64-only"), { create: true });
    await pullImage({
      client: f.viaProxy,
      repository: "shop/multi",
      digest: set.top.digest,
      into,
      platforms: [AMD64],
    });
    for (const image of set.images) {
      const wanted = image.platform.architecture === "amd64";
      expect(await into.hasBlob(image.config.descriptor.digest)).toBe(wanted);
      expect(await into.hasBlob(image.manifest.descriptor.digest)).toBe(wanted);
    }
  });
});

describe("the build cache in the registry", () => {
  it("stores an entry next to the image and finds it from an empty machine", async () => {
    const { store, set } = await f.sample({ app: "cache" });
    await pushImage({
      client: f.viaProxy,
      repository: "shop/cached",
      source: store,
      top: set.top,
      tags: ["v1"],
    });
    const ingredients = {
      format: 2,
      platform: "linux/amd64",
      settings: {},
      files: {},
      packages: {},
      modules: {},
    };
    const entry: CacheEntry = keyed({
      service: "api",
      top: set.top,
      platforms: set.images.map((image) => ({
        platform: `${image.platform.os}/${image.platform.architecture}`,
        key: sha256Digest(`inputs of api ${image.platform.architecture}`),
        imageId: image.id,
        manifest: image.manifest.descriptor,
        size: 1,
        ingredients,
      })),
      blobs: [...setBlobs(set)].map(([digest, size]) => ({ digest, size })),
      createdAt: 1_700_000_000_000,
    });
    // Distribution 2.8 takes the artifact: artifactType, a subject and the empty-descriptor layer.
    await storeCacheEntry(f.viaProxy, "shop/cached", entry);
    expect(await lookupCacheEntry(f.direct, "shop/cached", entry.key)).toEqual(entry);
    expect(await lookupCacheEntry(f.direct, "shop/cached", sha256Digest("other inputs"))).toBeUndefined();
    expect(await lookupCacheEntry(f.direct, "shop/never-pushed", entry.key)).toBeUndefined();
  });
});

describe("Docker's engine", () => {
  it("pulls a pushed image by digest and runs it", async () => {
    const engineError = process.env["DRAY_TEST_ENGINE_ERROR"];
    if (engineError) throw new Error(`Docker's engine is not running: ${engineError}`);
    const set = await buildGoServerImage(path.join(f.temp, "go-server"));
    const store = await openLayout(path.join(f.temp, "go-layout"), { create: true });
    await store.writeImageSet(set);
    await pushImage({
      client: f.viaProxy,
      repository: "dray-test/server",
      source: store,
      top: set.top,
      tags: ["v1"],
    });
    const ref = `${f.registry.url}/dray-test/server@${set.top.digest}`;
    expect(await runImageInDocker(ref, `dray-push-test-${process.pid}`)).toBe(GREETING);
  });
});
