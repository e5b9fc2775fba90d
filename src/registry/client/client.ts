/**
 * The OCI Distribution client (https://github.com/opencontainers/distribution-spec/blob/main/spec.md) for one
 * registry host: blobs and manifests over a session that handles scheme, auth, retries and errors.
 */
import { RemoteError } from "../../errors/index.js";
import type { Digest } from "../../oci/index.js";
import {
  assertManifestReference,
  assertRegistryHost,
  assertRepository,
  sha256Digest,
} from "../../oci/index.js";
import { repositoryScope } from "../auth/challenge.js";
import type { RegistryClient, RegistryOptions } from "../types.js";
import { getManifest, getReferrers, headManifest, putManifest } from "./manifests.js";
import { createSession, type RegistrySession, type SessionInternals } from "./session.js";
import { defaultUploadTuning, nextLocation, type UploadTuning, uploadBlob } from "./upload.js";

/** A client that can also drop its pooled connections (not needed for the process to exit: idle sockets are unref'd). */
export interface ClosableRegistryClient extends RegistryClient {
  close(): void;
}

/** Test seams beyond RegistryOptions: a fake transport, a clock, smaller upload chunks. */
export interface ClientInternals extends SessionInternals {
  upload?: Partial<UploadTuning>;
}

/** A client for `registry` ("host[:port]"); nothing is read or sent until the first call. */
export function createRegistryClient(
  registry: string,
  options: RegistryOptions = {},
  internals: ClientInternals = {},
): ClosableRegistryClient {
  assertRegistryHost(registry);
  const session = createSession(registry, options, internals);
  const tuning: UploadTuning = { ...defaultUploadTuning, ...internals.upload };
  // A registry with the referrers API never answers it with 404 (distribution spec): after one 404
  // this registry has no such API, and each later listing goes straight to the tag schema.
  let referrersApi = true;

  // Methods are async so a bad name rejects the promise instead of throwing synchronously.
  const client: ClosableRegistryClient = {
    registry,
    hasBlob: async (repository, digest) => hasBlob(session, checkedRepo(repository), checkedDigest(digest)),
    mountBlob: async (repository, digest, from) =>
      mountBlob(session, checkedRepo(repository), checkedDigest(digest), checkedRepo(from)),
    uploadBlob: async (repository, blob, onProgress) =>
      uploadBlob(session, checkedRepo(repository), blob, onProgress, tuning, () =>
        hasBlob(session, repository, blob.descriptor.digest),
      ),
    getBlob: async (repository, digest) => getBlob(session, checkedRepo(repository), checkedDigest(digest)),
    putManifest: async (repository, reference, mediaType, bytes) =>
      putManifest(session, checkedRepo(repository), checkedReference(reference), mediaType, bytes),
    getManifest: async (repository, reference) =>
      getManifest(session, checkedRepo(repository), checkedReference(reference)),
    headManifest: async (repository, reference) =>
      headManifest(session, checkedRepo(repository), checkedReference(reference)),
    getReferrers: async (repository, digest) => {
      const [repo, checked] = [checkedRepo(repository), checkedDigest(digest)];
      if (!referrersApi) return undefined;
      const index = await getReferrers(session, repo, checked);
      if (index === undefined) referrersApi = false;
      return index;
    },
    close: () => session.close(),
  };
  return client;
}

// Names and references end up in URL paths: validated so nothing like "../" can reach one.
function checkedRepo(repository: string): string {
  assertRepository(repository);
  return repository;
}

function checkedReference(reference: string): string {
  assertManifestReference(reference);
  return reference;
}

function checkedDigest(digest: Digest): Digest {
  assertManifestReference(digest);
  if (!digest.startsWith("sha256:")) throw new Error(`not a sha256 digest: ${JSON.stringify(digest)}`);
  return digest;
}

const pull = (repository: string) => [repositoryScope(repository, ["pull"])];

/** HEAD /v2/<name>/blobs/<digest>: 200 → true, 404 → false. */
async function hasBlob(session: RegistrySession, repository: string, digest: Digest): Promise<boolean> {
  const response = await session.send({
    method: "HEAD",
    target: `/v2/${repository}/blobs/${digest}`,
    scopes: pull(repository),
    followRedirects: true,
  });
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw session.failure(response, `check blob ${digest} in ${repository}`);
}

/**
 * POST …/blobs/uploads/?mount=&from= (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository):
 * 201 means mounted; 202 means the registry opened an upload instead, which is cancelled so it does not linger.
 */
async function mountBlob(
  session: RegistrySession,
  repository: string,
  digest: Digest,
  from: string,
): Promise<boolean> {
  const query = new URLSearchParams({ mount: digest, from });
  const response = await session.send({
    method: "POST",
    target: `/v2/${repository}/blobs/uploads/?${query}`,
    scopes: [repositoryScope(repository, ["pull", "push"]), ...pull(from)],
    headers: { "Content-Length": "0" },
    // Mounting twice has the same effect as once, and a stray upload session expires: safe to retry.
    idempotent: true,
  });
  if (response.status === 201) return true;
  if (response.status !== 202)
    throw session.failure(response, `mount blob ${digest} from ${from} into ${repository}`);
  try {
    const location = nextLocation(session, response);
    await session.send({
      method: "DELETE",
      target: location,
      scopes: [repositoryScope(repository, ["pull", "push"])],
    });
  } catch {
    // Best effort: an abandoned upload session expires on the registry by itself.
  }
  return false;
}

/** GET a blob, following redirects to storage (without the registry's Authorization), and verify its digest. */
async function getBlob(session: RegistrySession, repository: string, digest: Digest): Promise<Buffer> {
  const response = await session.send({
    method: "GET",
    target: `/v2/${repository}/blobs/${digest}`,
    scopes: pull(repository),
    followRedirects: true,
  });
  if (response.status === 404) {
    throw new RemoteError(`registry ${session.registry} has no blob ${digest} in ${repository}`, {
      status: 404,
    });
  }
  if (response.status !== 200) throw session.failure(response, `fetch blob ${digest} from ${repository}`);
  const actual = sha256Digest(response.body);
  if (actual !== digest) {
    throw new RemoteError(`registry ${session.registry} sent blob ${digest} whose bytes hash to ${actual}`, {
      retryable: true,
    });
  }
  return response.body;
}
