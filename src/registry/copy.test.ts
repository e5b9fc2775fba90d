/**
 * Copying an image between registries by digest: only what the destination lacks is sent, a blob of
 * the same registry is mounted, every fetched byte is checked, and a destination that has the image
 * gets nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeRegistryClient,
  type FakeRegistryClient,
} from "../../test/support/fake-registry-client.js";
import { writeSampleImage } from "../../test/support/sample-image.js";
import type { ImageSet } from "../oci/types.js";
import { copyImage } from "./copy.js";
import { pushImage } from "./push.js";

let temp: string;
let a: FakeRegistryClient;
let b: FakeRegistryClient;
let set: ImageSet;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-copy-"));
  a = createFakeRegistryClient("a.test:5000");
  b = createFakeRegistryClient("b.test:5000");
  const written = await writeSampleImage(path.join(temp, "src"));
  set = written.set;
  await pushImage({ client: a, repository: "shop/api", source: written.store, top: set.top, tags: [] });
  a.calls.length = 0;
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const blobsOf = (client: FakeRegistryClient, repo: string) =>
  [...client.repository(repo).blobs.keys()].sort();
const calls = (client: FakeRegistryClient, method: string) => client.calls.filter((c) => c.method === method);

describe("copyImage", () => {
  it("copies every manifest and blob to another registry under the same digests", async () => {
    const result = await copyImage(
      { client: a, repository: "shop/api" },
      { client: b, repository: "prod/api" },
      set.top.digest,
    );
    expect(result.action).toBe("copied");
    expect(result.top.digest).toBe(set.top.digest);
    expect(blobsOf(b, "prod/api")).toEqual(blobsOf(a, "shop/api"));
    expect(await b.headManifest("prod/api", set.top.digest)).toMatchObject({ digest: set.top.digest });
    // The documents hold the index, each manifest and each config: what a deploy reads.
    for (const image of set.images) {
      expect(result.documents.has(image.manifest.descriptor.digest)).toBe(true);
      expect(result.documents.has(image.config.descriptor.digest)).toBe(true);
    }
  });

  it("sends only the blobs the destination lacks", async () => {
    const layer = set.images[0]!.layers[0]!.blob.descriptor;
    const data = await a.getBlob("shop/api", layer.digest);
    b.repository("prod/api").blobs.set(layer.digest, data);
    a.calls.length = 0;
    await copyImage(
      { client: a, repository: "shop/api" },
      { client: b, repository: "prod/api" },
      set.top.digest,
    );
    expect(calls(b, "uploadBlob").map((c) => c.ref)).not.toContain(layer.digest);
    expect(calls(b, "uploadBlob").length).toBe(blobsOf(a, "shop/api").length - 1);
  });

  it("mounts blobs from the source repository when both are on one registry", async () => {
    const result = await copyImage(
      { client: a, repository: "shop/api" },
      { client: a, repository: "prod/api" },
      set.top.digest,
    );
    expect(result.push?.blobs.every((blob) => blob.action === "mounted")).toBe(true);
    expect(calls(a, "uploadBlob")).toEqual([]);
  });

  it("sends nothing when the destination has the image", async () => {
    await copyImage(
      { client: a, repository: "shop/api" },
      { client: b, repository: "prod/api" },
      set.top.digest,
    );
    b.calls.length = 0;
    const again = await copyImage(
      { client: a, repository: "shop/api" },
      { client: b, repository: "prod/api" },
      set.top.digest,
    );
    expect(again.action).toBe("present");
    expect(b.calls.map((c) => c.method)).toEqual(["headManifest"]);
  });

  it("refuses a source that sends other bytes than its digest names, and copies nothing", async () => {
    const config = set.images[0]!.config.descriptor.digest;
    a.repository("shop/api").blobs.set(config, Buffer.from("{}"));
    await expect(
      copyImage({ client: a, repository: "shop/api" }, { client: b, repository: "prod/api" }, set.top.digest),
    ).rejects.toThrow(`for ${config}`);
    expect(blobsOf(b, "prod/api")).toEqual([]);
  });

  it("names a digest the source does not have", async () => {
    const missing = `sha256:${"0".repeat(64)}` as const;
    await expect(
      copyImage({ client: a, repository: "shop/api" }, { client: b, repository: "prod/api" }, missing),
    ).rejects.toThrow(`a.test:5000/shop/api@${missing} not found`);
  });
});
