/**
 * A FAKE RegistryClient for unit tests: an in-memory registry that keeps per-repository blobs, manifests
 * and tags, records every call, and enforces what a real registry enforces on push (a manifest whose
 * blobs or child manifests are missing is rejected), so tests can check ordering without a network.
 */
import { RemoteError } from "../../src/errors/errors.js";
import { sha256Digest } from "../../src/oci/digest.js";
import { type Descriptor, type Digest, MediaType } from "../../src/oci/types.js";
import type { FetchedManifest, RegistryClient } from "../../src/registry/types.js";

/** One recorded call: the method, the repository and the digest or tag it was about. */
export interface FakeCall {
  method: keyof Omit<RegistryClient, "registry">;
  repository: string;
  ref: string;
}

interface FakeRepository {
  blobs: Map<string, Buffer>;
  manifests: Map<string, { mediaType: string; bytes: Buffer }>;
  tags: Map<string, Digest>;
}

/** The fake client plus its state and call log. */
export interface FakeRegistryClient extends RegistryClient {
  readonly calls: FakeCall[];
  repository(name: string): FakeRepository;
  /** Return an error to make a call fail (before it has any effect); undefined lets it through. */
  failWhen: (call: FakeCall) => Error | undefined;
  /** Whether mountBlob may succeed (a real registry may refuse); default true. */
  allowMount: boolean;
}

/** A fresh, empty fake registry named `registry`. */
export function createFakeRegistryClient(registry = "fake.registry.test"): FakeRegistryClient {
  const repos = new Map<string, FakeRepository>();
  const repo = (name: string): FakeRepository => {
    let found = repos.get(name);
    if (!found) {
      found = { blobs: new Map(), manifests: new Map(), tags: new Map() };
      repos.set(name, found);
    }
    return found;
  };
  const record = async (method: FakeCall["method"], repository: string, ref: string) => {
    const call = { method, repository, ref };
    client.calls.push(call);
    // A turn of the event loop, so concurrency is real and ordering bugs can show.
    await new Promise((resolve) => setImmediate(resolve));
    const error = client.failWhen(call);
    if (error) throw error;
  };
  const notFound = (what: string) => new RemoteError(`${what} not found`, { status: 404 });
  const manifestDigest = (r: FakeRepository, reference: string): Digest | undefined =>
    reference.startsWith("sha256:") ? (reference as Digest) : r.tags.get(reference);

  const client: FakeRegistryClient = {
    registry,
    calls: [],
    failWhen: () => undefined,
    allowMount: true,
    repository: repo,
    async hasBlob(repository, digest) {
      await record("hasBlob", repository, digest);
      return repo(repository).blobs.has(digest);
    },
    async mountBlob(repository, digest, from) {
      await record("mountBlob", repository, digest);
      const data = repos.get(from)?.blobs.get(digest);
      if (!client.allowMount || !data) return false;
      repo(repository).blobs.set(digest, data);
      return true;
    },
    async uploadBlob(repository, blob, onProgress) {
      await record("uploadBlob", repository, blob.descriptor.digest);
      const data = await blob.bytes();
      if (sha256Digest(data) !== blob.descriptor.digest)
        throw new RemoteError("DIGEST_INVALID", { status: 400 });
      onProgress?.({ digest: blob.descriptor.digest, sent: data.length, total: data.length });
      repo(repository).blobs.set(blob.descriptor.digest, data);
    },
    async getBlob(repository, digest) {
      await record("getBlob", repository, digest);
      const data = repos.get(repository)?.blobs.get(digest);
      if (!data) throw notFound(`blob ${digest}`);
      return data;
    },
    async putManifest(repository, reference, mediaType, bytes) {
      await record("putManifest", repository, reference);
      const r = repo(repository);
      const digest = sha256Digest(bytes);
      if (reference.startsWith("sha256:") && reference !== digest) {
        throw new RemoteError("DIGEST_INVALID", { status: 400 });
      }
      checkReferences(r, mediaType, bytes);
      r.manifests.set(digest, { mediaType, bytes });
      if (!reference.startsWith("sha256:")) r.tags.set(reference, digest);
      return digest;
    },
    async getManifest(repository, reference): Promise<FetchedManifest> {
      await record("getManifest", repository, reference);
      const r = repos.get(repository);
      const digest = r && manifestDigest(r, reference);
      const found = digest && r.manifests.get(digest);
      if (!found) throw notFound(`manifest ${reference}`);
      return { mediaType: found.mediaType, digest, bytes: found.bytes };
    },
    async headManifest(repository, reference): Promise<Descriptor | undefined> {
      await record("headManifest", repository, reference);
      const r = repos.get(repository);
      const digest = r && manifestDigest(r, reference);
      const found = digest && r.manifests.get(digest);
      return found ? { mediaType: found.mediaType, digest, size: found.bytes.length } : undefined;
    },
  };
  return client;
}

/** Distribution rejects MANIFEST_BLOB_UNKNOWN for missing config/layers and missing index children. */
function checkReferences(r: FakeRepository, mediaType: string, bytes: Buffer): void {
  const doc = JSON.parse(bytes.toString("utf8")) as {
    manifests?: Descriptor[];
    config?: Descriptor;
    layers?: Descriptor[];
  };
  const isIndex = mediaType === MediaType.index || mediaType === MediaType.dockerManifestList;
  const missing = isIndex
    ? (doc.manifests ?? []).filter((m) => !r.manifests.has(m.digest))
    : [doc.config!, ...(doc.layers ?? [])].filter((b) => !r.blobs.has(b.digest));
  if (missing.length > 0) {
    throw new RemoteError(`MANIFEST_BLOB_UNKNOWN ${missing.map((m) => m.digest).join(" ")}`, { status: 400 });
  }
}
