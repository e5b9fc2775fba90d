/**
 * pushImage against a real registry (CNCF distribution 2.8) through a proxy that counts bytes and injects
 * faults: only what is missing is sent, and no tag ever points at an incomplete image.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayoutStore } from "../../src/oci/layout.js";
import type { Descriptor, ImageSet } from "../../src/oci/types.js";
import { type PushEvent, type PushOptions, pushImage } from "../../src/registry/push.js";
import { type RegistryFixture, startRegistryFixture } from "../support/registry-fixture.js";
import { noise, setBlobs } from "../support/sample-image.js";

let f: RegistryFixture;
beforeAll(async () => {
  f = await startRegistryFixture();
});
afterAll(async () => {
  await f?.stop();
});

/** Pushes a sample to `repository` as tag v1, through the proxy unless `extra` says otherwise. */
const push = (
  repository: string,
  sample: { store: LayoutStore; set: ImageSet },
  extra: Partial<PushOptions> = {},
) =>
  pushImage({
    client: f.viaProxy,
    repository,
    source: sample.store,
    top: sample.set.top,
    tags: ["v1"],
    ...extra,
  });

describe("pushImage against a real registry", () => {
  it("pushes once; a second push sends no blob bytes and puts no manifest", async () => {
    const sample = await f.sample();
    f.proxy.reset();
    const first = await push("shop/api", sample);
    expect(first.bytesSent).toBeGreaterThan(0);
    expect(f.proxy.stats().requestBytes["blob-upload"]).toBe(first.bytesSent);
    expect(await f.remoteContent("shop/api", sample.set)).toEqual(setBlobs(sample.set));
    expect((await f.direct.headManifest("shop/api", "v1"))?.digest).toBe(sample.set.top.digest);

    f.proxy.reset();
    const second = await push("shop/api", sample);
    const stats = f.proxy.stats();
    expect(stats.requestBytes["blob-upload"]).toBe(0);
    expect(stats.requests["PUT manifest"]).toBeUndefined();
    expect(second).toMatchObject({ bytesSent: 0, bytesSkipped: first.bytesSent, manifestsPut: 0 });
  });

  it("after one layer changed, uploads only that layer, the configs and the manifests", async () => {
    await push("shop/one", await f.sample({ app: "before" }));
    const after = await f.sample({ app: "after" });
    f.proxy.reset();
    const result = await push("shop/one", after);
    const changed = after.set.images.flatMap((i) => [i.layers[1]!.blob.descriptor, i.config.descriptor]);
    const uploaded = result.blobs.filter((b) => b.action === "uploaded");
    expect(uploaded.map((b) => b.digest).sort()).toEqual(changed.map((d) => d.digest).sort());
    const sharedLayer = after.set.images[0]!.layers[0]!.blob.descriptor.digest;
    expect(result.blobs.find((b) => b.digest === sharedLayer)?.action).toBe("exists");
    const stats = f.proxy.stats();
    expect(stats.requestBytes["blob-upload"]).toBe(changed.reduce((sum, d) => sum + d.size, 0));
    // Two platform manifests, the index, the tag.
    expect(stats.requests["PUT manifest"]).toBe(4);
    expect(result.manifestsPut).toBe(4);
  });

  it("mounts blobs from another repository of the registry", async () => {
    const sample = await f.sample({ app: "mount" });
    await push("shop/source", sample);
    f.proxy.reset();
    const result = await push("shop/target", sample, { mountFrom: ["shop/source"] });
    expect(new Set(result.blobs.map((b) => b.action))).toEqual(new Set(["mounted"]));
    expect(f.proxy.stats().requestBytes["blob-upload"]).toBe(0);
    expect(f.proxy.stats().requests["POST blob-mount"]).toBe(result.blobs.length);
    expect(await f.remoteContent("shop/target", sample.set)).toEqual(setBlobs(sample.set));
  });

  it("completes through a proxy that fails 20% of requests, and never tags an incomplete image", async () => {
    // Three incompressible 200 KB layers: several chunks each, so faults land mid-upload too.
    const extra = [1, 2, 3].map((n) => [
      { path: `data/${n}.bin`, type: "file" as const, data: noise(`flaky ${n}`, 200_000) },
    ]);
    const sample = await f.sample({ app: "flaky", shared: "flaky shared", extra });
    const events: PushEvent[] = [];
    const polls: { events: number; tagged: boolean; complete: boolean }[] = [];
    let done = false;
    // The observer: while the push runs, is the tag there, and if so is everything it reaches there?
    const observer = (async () => {
      for (let i = 0; i < 2000 && !done; i++) {
        const seen = await f.direct.headManifest("shop/flaky", "v1");
        const complete = seen ? await isComplete("shop/flaky", sample.set, seen) : false;
        polls.push({ events: events.length, tagged: seen !== undefined, complete });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    // One blob at a time: the proxy's seeded decisions follow the order of requests, so only a sequential
    // push sees the same faults on every run (this seed: drops, 500s and 429s, mid-chunk included).
    f.proxy.setFaults({ seed: 3, rate: 0.2 });
    f.proxy.reset();
    try {
      await push("shop/flaky", sample, {
        client: f.chunked,
        concurrency: 1,
        onProgress: (e) => events.push(e),
      });
    } finally {
      done = true;
      f.proxy.setFaults(undefined);
      await observer;
    }
    const faults = f.proxy.stats().faults;
    expect(faults.drop).toBeGreaterThan(0);
    expect(faults["500"]).toBeGreaterThan(0);
    expect(faults["429"]).toBeGreaterThan(0);
    expect(await f.remoteContent("shop/flaky", sample.set)).toEqual(setBlobs(sample.set));
    expect((await f.direct.headManifest("shop/flaky", "v1"))?.digest).toBe(sample.set.top.digest);
    // Before the last manifest was put the tag was never there (and the observer did look then);
    // whenever it was there, the whole image was.
    const lastManifestEvent =
      events.length - 1 - [...events].reverse().findIndex((e) => e.type === "manifest");
    expect(polls.filter((p) => p.events <= lastManifestEvent).length).toBeGreaterThan(0);
    for (const poll of polls) {
      if (poll.events <= lastManifestEvent) expect(poll.tagged).toBe(false);
      if (poll.tagged) expect(poll.complete).toBe(true);
    }
  });

  it("leaves no tag and no manifest when every blob upload fails", async () => {
    const sample = await f.sample({ app: "doomed", shared: "doomed shared" });
    f.proxy.setFaults({
      seed: 1,
      rate: 1,
      kinds: ["500"],
      maxConsecutive: Infinity,
      match: (r) => r.kind === "blob-upload",
    });
    f.proxy.reset();
    try {
      await expect(push("shop/doomed", sample)).rejects.toThrow(/HTTP 500/);
    } finally {
      f.proxy.setFaults(undefined);
    }
    expect(f.proxy.stats().requests["PUT manifest"]).toBeUndefined();
    expect(await f.direct.headManifest("shop/doomed", "v1")).toBeUndefined();
    expect(await f.direct.headManifest("shop/doomed", sample.set.top.digest)).toBeUndefined();
  });
});

async function isComplete(repository: string, set: ImageSet, seen: Descriptor): Promise<boolean> {
  if (seen.digest !== set.top.digest) return false;
  return (await f.remoteContent(repository, set)).size === setBlobs(set).size;
}
