/**
 * Manifests and indexes: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 * and #pushing-manifests. Bytes are kept exactly as sent or received: their sha256 is the manifest digest.
 */
import { RemoteError } from "../../errors/index.js";
import type { Descriptor, Digest } from "../../oci/index.js";
import { isDigest, MANIFEST_MEDIA_TYPES, sha256Digest } from "../../oci/index.js";
import { repositoryScope } from "../auth/challenge.js";
import { manifestRejected } from "../errors.js";
import { type HttpResponse, headerValue } from "../http.js";
import type { FetchedManifest } from "../types.js";
import type { RegistrySession } from "./session.js";

/** Every manifest type dray reads; without an Accept list some registries convert to the old schema 1. */
export const MANIFEST_ACCEPT = Object.keys(MANIFEST_MEDIA_TYPES).join(", ");

/** Manifests are small; distribution itself refuses ones over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const pull = (repository: string) => [repositoryScope(repository, ["pull"])];

/** PUT a manifest by tag or digest; returns its digest after checking the registry computed the same one. */
export async function putManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
  mediaType: string,
  bytes: Buffer,
): Promise<Digest> {
  const digest = sha256Digest(bytes);
  if (isDigest(reference) && reference !== digest) {
    throw new Error(
      `manifest bytes hash to ${digest}, not to the reference ${reference} they are pushed under`,
    );
  }
  const response = await session.send({
    method: "PUT",
    target: `/v2/${repository}/manifests/${reference}`,
    scopes: [repositoryScope(repository, ["pull", "push"])],
    headers: { "Content-Type": mediaType },
    body: bytes,
  });
  if (response.status !== 201 && response.status !== 200 && response.status !== 202) {
    throw (
      manifestRejected(response, session.registry, mediaType, session.scrub) ??
      session.failure(response, `store manifest ${repository}:${reference}`)
    );
  }
  const reported = headerValue(response.headers, "docker-content-digest");
  if (reported !== undefined && reported !== digest) {
    throw new RemoteError(
      `registry ${session.registry} reports digest ${reported} for manifest ${repository}:${reference}, expected ${digest}`,
    );
  }
  return digest;
}

/** GET a manifest; its digest is computed from the bytes and must match a digest reference or header. */
export async function getManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
): Promise<FetchedManifest> {
  const response = await session.send({
    method: "GET",
    target: `/v2/${repository}/manifests/${reference}`,
    scopes: pull(repository),
    headers: { Accept: MANIFEST_ACCEPT },
    maxBodyBytes: MAX_MANIFEST_BYTES,
  });
  if (response.status !== 200) throw missingOrFailure(session, response, repository, reference);
  const bytes = response.body;
  const digest = sha256Digest(bytes);
  const expected = isDigest(reference) ? reference : headerValue(response.headers, "docker-content-digest");
  if (expected !== undefined && expected !== digest) {
    throw new RemoteError(
      `registry ${session.registry} sent manifest ${repository}:${reference} whose bytes hash to ${digest}, not ${expected}`,
    );
  }
  return { mediaType: manifestMediaType(response, bytes, session.registry), digest, bytes };
}

/** HEAD a manifest; falls back to GET when the registry leaves out the digest or type headers. */
export async function headManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
): Promise<Descriptor | undefined> {
  const response = await session.send({
    method: "HEAD",
    target: `/v2/${repository}/manifests/${reference}`,
    scopes: pull(repository),
    headers: { Accept: MANIFEST_ACCEPT },
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw missingOrFailure(session, response, repository, reference);
  const digest = headerValue(response.headers, "docker-content-digest");
  const mediaType = contentType(response);
  const size = Number(headerValue(response.headers, "content-length"));
  if (!isDigest(digest) || mediaType === undefined || !Number.isSafeInteger(size)) {
    const fetched = await getManifest(session, repository, reference);
    return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length };
  }
  if (isDigest(reference) && digest !== reference) {
    throw new RemoteError(
      `registry ${session.registry} answered HEAD ${repository}@${reference} with digest ${digest}`,
    );
  }
  return { mediaType, digest, size };
}

/**
 * GET /v2/<name>/referrers/<digest>: the index of the manifests whose `subject` is `digest`
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers). A registry
 * with the API answers 200, even with no referrers; a 404 means it has no such API, and the caller
 * falls back to the referrers tag schema.
 */
export async function getReferrers(
  session: RegistrySession,
  repository: string,
  digest: Digest,
): Promise<Buffer | undefined> {
  const response = await session.send({
    method: "GET",
    target: `/v2/${repository}/referrers/${digest}`,
    scopes: pull(repository),
    headers: { Accept: "application/vnd.oci.image.index.v1+json" },
    maxBodyBytes: MAX_MANIFEST_BYTES,
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw session.failure(response, `list referrers of ${repository}@${digest}`);
  return response.body;
}

function missingOrFailure(
  session: RegistrySession,
  response: HttpResponse,
  repository: string,
  reference: string,
) {
  if (response.status === 404) {
    return new RemoteError(`registry ${session.registry} has no manifest ${repository}:${reference}`, {
      status: 404,
    });
  }
  return session.failure(response, `fetch manifest ${repository}:${reference}`);
}

/** The Content-Type without parameters, unless it is a generic JSON type that says nothing. */
function contentType(response: HttpResponse): string | undefined {
  const value = headerValue(response.headers, "content-type")?.split(";")[0]?.trim();
  return value &&
    value !== "application/json" &&
    value !== "text/plain" &&
    value !== "application/octet-stream"
    ? value
    : undefined;
}

/** The media type from the header, else from the manifest's own `mediaType` field. */
function manifestMediaType(response: HttpResponse, bytes: Buffer, registry: string): string {
  const fromHeader = contentType(response);
  if (fromHeader) return fromHeader;
  try {
    const field = (JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown }).mediaType;
    if (typeof field === "string") return field;
  } catch {
    // not JSON: reported below
  }
  throw new RemoteError(`registry ${registry} sent a manifest without a media type`);
}
