import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeRegistryClient,
  type FakeRegistryClient,
} from "../../test/support/fake-registry-client.js";
import { AMD64, setBlobs, writeSampleImage } from "../../test/support/sample-image.js";
import { RemoteError, UserError } from "../errors/errors.js";
import type { LayoutStore } from "../oci/layout.js";
import type { ImageSet } from "../oci/types.js";
import { createTracer } from "../report/trace.js";
import { type PushEvent, pushImage } from "./push.js";

let temp: string;
let client: FakeRegistryClient;
let store: LayoutStore;
let set: ImageSet;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-push-"));
  client = createFakeRegistryClient();
  ({ store, set } = await writeSampleImage(path.join(temp, "oci")));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const push = (extra: Partial<Parameters<typeof pushImage>[0]> = {}) =>
  pushImage({ client, repository: "shop/api", source: store, top: set.top, tags: ["v1"], ...extra });

/** Configs and layers only: what pushImage calls blobs. */
function layerAndConfigSizes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const image of set.images) {
    for (const blob of [...image.layers.map((l) => l.blob), image.config]) {
      out.set(blob.descriptor.digest, blob.descriptor.size);
    }
  }
  return out;
}

describe("pushImage", () => {
  it("uploads each blob once, even when platforms share it, and reports the bytes", async () => {
    const result = await push();
    const expected = layerAndConfigSizes();
    // Two platforms, a shared layer: 2 configs + 2 app layers + 1 shared layer.
    expect(expected.size).toBe(5);
    expect(result.blobs.map((b) => b.digest).sort()).toEqual([...expected.keys()].sort());
    expect(result.blobs.every((b) => b.action === "uploaded")).toBe(true);
    const uploads = client.calls.filter((c) => c.method === "uploadBlob").map((c) => c.ref);
    expect(uploads.sort()).toEqual([...expected.keys()].sort());
    expect(result.bytesSent).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    expect(result.bytesSkipped).toBe(0);
    // 2 platform manifests + the index by digest, + 1 tag.
    expect(result.manifestsPut).toBe(4);
    expect(result.top).toEqual({ mediaType: set.top.mediaType, digest: set.top.digest, size: set.top.size });
    const repo = client.repository("shop/api");
    expect(repo.tags.get("v1")).toBe(set.top.digest);
    for (const [digest] of setBlobs(set)) {
      expect(repo.blobs.has(digest) || repo.manifests.has(digest)).toBe(true);
    }
  });

  it("puts blobs, then platform manifests, then the index, then tags", async () => {
    await push({ tags: ["v1", "latest"] });
    const order = client.calls
      .filter((c) => c.method === "uploadBlob" || c.method === "putManifest")
      .map((c) => {
        if (c.method === "uploadBlob") return "blob";
        if (!c.ref.startsWith("sha256:")) return "tag";
        return c.ref === set.index!.descriptor.digest ? "index" : "manifest";
      });
    expect(order).toEqual([
      "blob",
      "blob",
      "blob",
      "blob",
      "blob",
      "manifest",
      "manifest",
      "index",
      "tag",
      "tag",
    ]);
  });

  it("sends nothing the second time", async () => {
    await push();
    client.calls.length = 0;
    const events: PushEvent[] = [];
    const result = await push({ onProgress: (e) => events.push(e) });
    expect(result.bytesSent).toBe(0);
    expect(result.bytesSkipped).toBe([...layerAndConfigSizes().values()].reduce((a, b) => a + b, 0));
    expect(result.manifestsPut).toBe(0);
    expect(result.blobs.every((b) => b.action === "exists")).toBe(true);
    expect(client.calls.filter((c) => c.method === "uploadBlob" || c.method === "putManifest")).toEqual([]);
    // The tags already name this digest: one HEAD per tag is all it takes to know the image is there.
    expect(client.calls.map((c) => c.method)).toEqual(["headManifest"]);
    expect(events.filter((e) => e.type === "manifest").every((e) => e.action === "exists")).toBe(true);
    expect(events.filter((e) => e.type === "tag")).toEqual([
      { type: "tag", tag: "v1", digest: set.top.digest, action: "exists" },
    ]);
  });

  it("mounts from another repository instead of uploading", async () => {
    await push({ repository: "shop/base" });
    client.calls.length = 0;
    const result = await push({ mountFrom: ["shop/api", "shop/base"] });
    expect(result.blobs.every((b) => b.action === "mounted")).toBe(true);
    expect(result.bytesSent).toBe(0);
    expect(result.bytesSkipped).toBeGreaterThan(0);
    // The target itself is never a mount source.
    expect(client.calls.some((c) => c.method === "uploadBlob")).toBe(false);
  });

  it("uploads when the registry refuses to mount", async () => {
    await push({ repository: "shop/base" });
    client.allowMount = false;
    const result = await push({ mountFrom: ["shop/base"] });
    expect(new Set(result.blobs.map((b) => b.action))).toEqual(new Set(["uploaded"]));
    expect(client.calls.filter((c) => c.method === "mountBlob" && c.repository === "shop/api")).toHaveLength(
      5,
    );
  });

  it("counts exists, mounted and uploaded separately in one push", async () => {
    const [first, second] = set.images[0]!.layers;
    client.repository("shop/api").blobs.set(first!.blob.descriptor.digest, await first!.blob.bytes());
    client.repository("shop/base").blobs.set(second!.blob.descriptor.digest, await second!.blob.bytes());
    const result = await push({ mountFrom: ["shop/base"] });
    const action = (digest: string) => result.blobs.find((b) => b.digest === digest)?.action;
    expect(action(first!.blob.descriptor.digest)).toBe("exists");
    expect(action(second!.blob.descriptor.digest)).toBe("mounted");
    expect(result.bytesSkipped).toBe(first!.blob.descriptor.size + second!.blob.descriptor.size);
    const uploaded = result.blobs.filter((b) => b.action === "uploaded");
    expect(uploaded).toHaveLength(3);
    expect(result.bytesSent).toBe(uploaded.reduce((sum, b) => sum + b.size, 0));
  });

  it("puts no manifest and no tag when one blob fails", async () => {
    const victim = set.images[1]!.config.descriptor.digest;
    client.failWhen = (call) =>
      call.method === "uploadBlob" && call.ref === victim
        ? new RemoteError("boom", { status: 500 })
        : undefined;
    await expect(push({ concurrency: 2 })).rejects.toThrow("boom");
    expect(client.calls.some((c) => c.method === "putManifest")).toBe(false);
    expect(client.repository("shop/api").tags.size).toBe(0);
  });

  it("puts no tag when a manifest put fails", async () => {
    client.failWhen = (call) =>
      call.method === "putManifest" && call.ref === set.index!.descriptor.digest
        ? new RemoteError("index rejected", { status: 400 })
        : undefined;
    await expect(push()).rejects.toThrow("index rejected");
    expect(client.repository("shop/api").tags.size).toBe(0);
  });

  it("keeps at most `concurrency` uploads in flight", async () => {
    let active = 0;
    let peak = 0;
    const upload = client.uploadBlob;
    client.uploadBlob = async (...args) => {
      peak = Math.max(peak, ++active);
      try {
        return await upload(...args);
      } finally {
        active--;
      }
    };
    await push({ concurrency: 2 });
    expect(peak).toBe(2);
  });

  it("reports every blob's start and end, and manifests and tags in order", async () => {
    const events: PushEvent[] = [];
    await push({ onProgress: (e) => events.push(e) });
    const starts = events.filter((e) => e.type === "blob-start").map((e) => e.digest);
    const dones = events.filter((e) => e.type === "blob-done").map((e) => e.digest);
    expect(starts.sort()).toEqual(dones.sort());
    expect(events.filter((e) => e.type === "blob-progress").length).toBeGreaterThanOrEqual(5);
    const kinds = events.map((e) => e.type).filter((t) => t === "manifest" || t === "tag");
    expect(kinds).toEqual(["manifest", "manifest", "manifest", "tag"]);
    expect(events.at(-1)).toMatchObject({ type: "tag", tag: "v1", action: "put" });
  });

  it("records spans for the service", async () => {
    const tracer = createTracer();
    await push({ tracer, subject: "api" });
    expect(tracer.spans().map((s) => [s.name, s.subject])).toEqual([
      ["push check", "api"],
      ["push blobs", "api"],
      ["push manifests", "api"],
      ["push tags", "api"],
    ]);
  });

  it.each([
    ["starts with a dot", ".v1"],
    ["has a colon", "v1:x"],
    ["is too long", "a".repeat(129)],
    ["is empty", ""],
  ])("refuses a tag that %s before sending anything", async (_, tag) => {
    await expect(push({ tags: [tag] })).rejects.toBeInstanceOf(UserError);
    expect(client.calls).toEqual([]);
  });

  it("pushes a single-platform image (no index)", async () => {
    ({ store, set } = await writeSampleImage(path.join(temp, "single"), { platforms: [AMD64] }));
    const result = await push();
    expect(result.blobs).toHaveLength(3);
    expect(result.manifestsPut).toBe(2);
    expect(client.repository("shop/api").tags.get("v1")).toBe(set.images[0]!.manifest.descriptor.digest);
  });
});
