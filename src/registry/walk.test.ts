import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { blobFromBytes } from "../oci/blob.js";
import { canonicalJson } from "../oci/canonical-json.js";
import { sha256Digest } from "../oci/digest.js";
import { type Blob, type Descriptor, MediaType, type Platform } from "../oci/types.js";
import { walkImage } from "./walk.js";

const json = (mediaType: string, value: unknown, extra: Pick<Descriptor, "platform"> = {}) =>
  blobFromBytes(mediaType, Buffer.from(canonicalJson(value)), extra);
const layer = (text: string) => blobFromBytes(MediaType.layerGzip, Buffer.from(text)).descriptor;

/** A pure in-memory store of documents, read by digest. */
function reader(...blobs: Blob[]) {
  const byDigest = new Map(blobs.map((b) => [b.descriptor.digest, b]));
  const reads: string[] = [];
  const read = async (d: Descriptor) => {
    reads.push(d.digest);
    const blob = byDigest.get(d.digest);
    if (!blob) throw new Error(`missing ${d.digest}`);
    return blob.bytes();
  };
  return { read, reads };
}

function manifest(platform: Platform, layers: Descriptor[], mediaType: string = MediaType.manifest) {
  const config = layer(`config ${platform.architecture}`);
  return json(mediaType, { schemaVersion: 2, mediaType, config, layers }, { platform });
}

const AMD = { os: "linux", architecture: "amd64" };
const ARM = { os: "linux", architecture: "arm64", variant: "v8" };
const shared = layer("shared");
const amd = manifest(AMD, [shared, layer("amd")]);
const arm = manifest(ARM, [shared, layer("arm")]);
const index = json(MediaType.index, {
  schemaVersion: 2,
  manifests: [amd.descriptor, arm.descriptor],
});

describe("walkImage", () => {
  it("lists blobs once and manifests children first", async () => {
    const { read } = reader(index, amd, arm);
    const graph = await walkImage(index.descriptor, read);
    expect(graph.blobs.map((b) => b.digest)).toEqual([
      layer("config amd64").digest,
      shared.digest,
      layer("amd").digest,
      layer("config arm64").digest,
      layer("arm").digest,
    ]);
    expect(graph.manifests.map((m) => m.descriptor.digest)).toEqual([
      amd.descriptor.digest,
      arm.descriptor.digest,
      index.descriptor.digest,
    ]);
    // Platforms belong to the index entry, not to the manifest's own descriptor.
    expect(graph.manifests[0]!.descriptor.platform).toBeUndefined();
  });

  it("follows only the platforms asked for, and nested indexes", async () => {
    const outer = json(MediaType.index, {
      schemaVersion: 2,
      manifests: [{ ...index.descriptor }],
    });
    const { read, reads } = reader(outer, index, amd, arm);
    const graph = await walkImage(outer.descriptor, read, {
      platforms: [{ os: "linux", architecture: "arm64" }],
    });
    expect(reads).not.toContain(amd.descriptor.digest);
    expect(graph.manifests.map((m) => m.descriptor.digest)).toEqual([
      arm.descriptor.digest,
      index.descriptor.digest,
      outer.descriptor.digest,
    ]);
  });

  it("reads Docker media types and a top descriptor of unknown type by the document's shape", async () => {
    const docker = manifest(AMD, [layer("d")], MediaType.dockerManifest);
    const list = json(MediaType.dockerManifestList, {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [docker.descriptor],
    });
    const { read } = reader(list, docker);
    const graph = await walkImage({ ...list.descriptor, mediaType: "application/octet-stream" }, read);
    expect(graph.manifests).toHaveLength(2);
    expect(graph.blobs).toHaveLength(2);
  });

  it("refuses content that does not match the digest, whatever the reader says", async () => {
    await expect(walkImage(index.descriptor, async () => Buffer.from("{}"))).rejects.toThrow(
      /its content is/,
    );
  });

  it("refuses a document that is not JSON", async () => {
    const bytes = Buffer.from("nope");
    const descriptor = { mediaType: MediaType.manifest, digest: sha256Digest(bytes), size: bytes.length };
    await expect(walkImage(descriptor, async () => bytes)).rejects.toBeInstanceOf(UserError);
  });

  it("refuses entries without a valid digest", async () => {
    const bad = json(MediaType.manifest, {
      schemaVersion: 2,
      config: layer("c"),
      layers: [{ mediaType: MediaType.layerGzip, digest: "sha256:../../etc", size: 1 }],
    });
    const { read } = reader(bad);
    await expect(walkImage(bad.descriptor, read)).rejects.toThrow(/valid mediaType, sha256 digest and size/);
  });

  it("bounds nesting", async () => {
    let top = index;
    const blobs: Blob[] = [index, amd, arm];
    for (let i = 0; i < 5; i++) {
      top = json(MediaType.index, { schemaVersion: 2, manifests: [top.descriptor] });
      blobs.push(top);
    }
    await expect(walkImage(top.descriptor, reader(...blobs).read)).rejects.toThrow(/nested too deeply/);
  });
});
