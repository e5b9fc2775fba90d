import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createFakeRegistryClient,
  type FakeRegistryClient,
} from "../../test/support/fake-registry-client.js";
import { AMD64, ARM64, setBlobs, writeSampleImage } from "../../test/support/sample-image.js";
import { UserError } from "../errors/errors.js";
import { canonicalJson } from "../oci/canonical-json.js";
import { sha256Digest } from "../oci/digest.js";
import { openLayout, resolveImage } from "../oci/index.js";
import { type Digest, type ImageSet, MediaType } from "../oci/types.js";
import { pullImage, resolveRemote } from "./pull.js";
import { pushImage } from "./push.js";

let temp: string;
let client: FakeRegistryClient;
let set: ImageSet;

beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-pull-"));
  client = createFakeRegistryClient();
  const written = await writeSampleImage(path.join(temp, "src"));
  set = written.set;
  await pushImage({ client, repository: "shop/api", source: written.store, top: set.top, tags: ["v1"] });
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

const emptyLayout = (name: string) => openLayout(path.join(temp, name), { create: true });
const totalSize = (sizes: Iterable<number>) => [...sizes].reduce((a, b) => a + b, 0);

describe("resolveRemote", () => {
  it("resolves a tag and a digest to the same descriptor", async () => {
    const byTag = await resolveRemote(client, "shop/api", "v1");
    expect(byTag).toEqual({ mediaType: MediaType.index, digest: set.top.digest, size: set.top.size });
    expect(await resolveRemote(client, "shop/api", set.top.digest)).toEqual(byTag);
  });

  it("says what is missing", async () => {
    await expect(resolveRemote(client, "shop/api", "nope")).rejects.toThrow(
      "fake.registry.test/shop/api:nope not found",
    );
  });
});

describe("pullImage", () => {
  it("pulls every blob into an empty layout with the same digests, and tags it", async () => {
    const into = await emptyLayout("a");
    const result = await pullImage({
      client,
      repository: "shop/api",
      digest: set.top.digest,
      into,
      tag: "api",
    });
    expect(result.top).toEqual({ mediaType: MediaType.index, digest: set.top.digest, size: set.top.size });
    const expected = setBlobs(set);
    expect((await into.listBlobs()).map((b) => [b.digest, b.size])).toEqual(
      [...expected].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    expect(result.bytesFetched).toBe(totalSize(expected.values()));
    const image = await resolveImage(into, "api", ARM64);
    expect(image.config.architecture).toBe("arm64");
  });

  it("fetches only the top manifest when the layout has everything", async () => {
    const into = await emptyLayout("a");
    await pullImage({ client, repository: "shop/api", digest: set.top.digest, into });
    client.calls.length = 0;
    const again = await pullImage({ client, repository: "shop/api", digest: set.top.digest, into });
    expect(again.bytesFetched).toBe(set.top.size);
    expect(client.calls.map((c) => c.method)).toEqual(["getManifest"]);
  });

  it("fetches again a layer whose file in the layout is corrupted, and repairs it", async () => {
    const into = await emptyLayout("a");
    await pullImage({ client, repository: "shop/api", digest: set.top.digest, into });
    const layer = set.images[0]!.layers[0]!.blob.descriptor;
    const file = path.join(into.root, "blobs", "sha256", layer.digest.slice("sha256:".length));
    const bytes = await readFile(file);
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(file, bytes);
    client.calls.length = 0;
    await pullImage({ client, repository: "shop/api", digest: set.top.digest, into });
    expect(client.calls.filter((c) => c.method === "getBlob").map((c) => c.ref)).toEqual([layer.digest]);
    expect((await into.checkBlob(layer.digest)).state).toBe("ok");
  });

  it("pulls only the platforms asked for", async () => {
    const into = await emptyLayout("a");
    await pullImage({ client, repository: "shop/api", digest: set.top.digest, into, platforms: [AMD64] });
    const amd = set.images.find((i) => i.platform.architecture === "amd64")!;
    const arm = set.images.find((i) => i.platform.architecture === "arm64")!;
    for (const blob of [amd.manifest, amd.config, ...amd.layers.map((l) => l.blob)]) {
      expect(await into.hasBlob(blob.descriptor.digest)).toBe(true);
    }
    expect(await into.hasBlob(arm.config.descriptor.digest)).toBe(false);
    expect(await into.hasBlob(arm.manifest.descriptor.digest)).toBe(false);
    // The index is kept whole (a sparse layout is allowed: image-layout.md, "Blobs").
    expect(await into.hasBlob(set.top.digest)).toBe(true);
  });

  it("refuses a platform the index does not have, naming those it has", async () => {
    const into = await emptyLayout("a");
    const pulling = pullImage({
      client,
      repository: "shop/api",
      digest: set.top.digest,
      into,
      platforms: [{ os: "linux", architecture: "s390x" }],
    });
    await expect(pulling).rejects.toThrow(UserError);
    await expect(pulling).rejects.toMatchObject({
      details: "available platforms: linux/amd64, linux/arm64/v8",
    });
  });

  it("stores Docker v2 manifests byte for byte", async () => {
    const image = set.images[0]!;
    const repo = client.repository("hub/base");
    for (const blob of [image.config, ...image.layers.map((l) => l.blob)]) {
      repo.blobs.set(blob.descriptor.digest, await blob.bytes());
    }
    // Docker's spacing and key order: re-serializing would change the digest.
    const manifest = Buffer.from(
      `{\n   "schemaVersion": 2,\n   "mediaType": "${MediaType.dockerManifest}",\n   "config": ${JSON.stringify(
        {
          ...image.config.descriptor,
          mediaType: MediaType.dockerConfig,
        },
      )},\n   "layers": ${JSON.stringify(
        image.layers.map((l) => ({ ...l.blob.descriptor, mediaType: MediaType.dockerLayerGzip })),
      )}\n}`,
    );
    const manifestDigest = sha256Digest(manifest);
    repo.manifests.set(manifestDigest, { mediaType: MediaType.dockerManifest, bytes: manifest });
    const list = Buffer.from(
      canonicalJson({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifestList,
        manifests: [
          {
            mediaType: MediaType.dockerManifest,
            digest: manifestDigest,
            size: manifest.length,
            platform: AMD64,
          },
        ],
      }),
    );
    const listDigest = sha256Digest(list);
    repo.manifests.set(listDigest, { mediaType: MediaType.dockerManifestList, bytes: list });
    const into = await emptyLayout("a");
    const result = await pullImage({ client, repository: "hub/base", digest: listDigest, into, tag: "base" });
    expect(result.top.mediaType).toBe(MediaType.dockerManifestList);
    expect(await into.readBlob(manifestDigest)).toEqual(manifest);
    expect((await resolveImage(into, "base", AMD64)).descriptor.digest).toBe(manifestDigest);
  });

  it("refuses a blob whose size contradicts its manifest, and tags nothing", async () => {
    const image = set.images[0]!;
    const layer = image.layers[1]!.blob.descriptor;
    const manifest = Buffer.from(
      canonicalJson({
        schemaVersion: 2,
        mediaType: MediaType.manifest,
        config: image.config.descriptor,
        layers: [{ ...layer, size: layer.size + 1 }],
      }),
    );
    const digest: Digest = sha256Digest(manifest);
    client.repository("shop/api").manifests.set(digest, { mediaType: MediaType.manifest, bytes: manifest });
    const into = await emptyLayout("a");
    await expect(pullImage({ client, repository: "shop/api", digest, into, tag: "bad" })).rejects.toThrow(
      /nothing was stored/,
    );
    expect(await into.hasBlob(layer.digest)).toBe(false);
    expect(await into.listTags()).toEqual({});
  });
});
