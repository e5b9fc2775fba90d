/**
 * Blob upload per https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs:
 * POST opens a session; small blobs go in one PUT (monolithic), large ones in PATCH chunks followed by
 * a closing PUT. A broken chunk is resumed from the offset the registry reports, else the upload restarts.
 */
import { createHash, type Hash } from "node:crypto";
import { RemoteError } from "../../errors/index.js";
import type { Blob, Digest } from "../../oci/index.js";
import { sha256Digest } from "../../oci/index.js";
import { repositoryScope } from "../auth/challenge.js";
import { type HttpResponse, headerValue } from "../http.js";
import type { UploadProgress } from "../types.js";
import type { RegistrySession } from "./session.js";

/** Sizes and bounds of an upload; the defaults suit registries with a 10 MiB request limit behind proxies. */
export interface UploadTuning {
  /** Blobs up to this size go in a single PUT. Default 8 MiB. */
  monolithicMaxBytes: number;
  /** Bytes per PATCH. Default 8 MiB. */
  chunkBytes: number;
  /** Fresh sessions after the first one failed. Default 2. */
  maxRestarts: number;
  /** Resumes of one session after a broken chunk. Default 4. */
  maxResumes: number;
}

/** The defaults of the client. */
export const defaultUploadTuning: UploadTuning = {
  monolithicMaxBytes: 8 * 1024 * 1024,
  chunkBytes: 8 * 1024 * 1024,
  // As many fresh starts as single requests get attempts: a flaky proxy should not fail an upload
  // sooner than it fails a manifest PUT.
  maxRestarts: 4,
  maxResumes: 6,
};

/** The session broke in a way only a fresh one can fix. */
class RestartUpload extends Error {}

/** Uploads `blob` to `repository`; resolves once the registry has stored it under its digest. */
export async function uploadBlob(
  session: RegistrySession,
  repository: string,
  blob: Blob,
  onProgress: ((progress: UploadProgress) => void) | undefined,
  tuning: UploadTuning = defaultUploadTuning,
  blobExists: () => Promise<boolean> = async () => false,
): Promise<void> {
  const { digest, size } = blob.descriptor;
  const monolithic = size <= tuning.monolithicMaxBytes;
  // A large blob that can be read in slices is never held whole: it may be larger than a Buffer can be.
  const content = !monolithic && blob.slice ? slicedContent(blob) : await wholeContent(blob);
  const report = (sent: number) => onProgress?.({ digest, sent, total: size });
  for (let restart = 0; ; restart++) {
    try {
      const location = await openSession(session, repository);
      const final = monolithic
        ? location
        : await sendChunks(session, repository, location, content.start(), tuning, report);
      await close(session, repository, final, digest, monolithic ? await content.read(0, size) : undefined);
      report(size);
      return;
    } catch (error) {
      const again = error instanceof RestartUpload || (error instanceof RemoteError && error.retryable);
      if (!again || restart >= tuning.maxRestarts)
        throw error instanceof RestartUpload ? (error.cause ?? error) : error;
      // The closing PUT may have landed although its answer was lost.
      if (await blobExists().catch(() => false)) return;
    }
  }
}

/** A blob's bytes as an upload reads them: by range, hashed on the way when they were not checked up front. */
interface UploadContent {
  /** A fresh pass over the content, for one upload session. */
  start(): ContentPass;
  read(start: number, end: number): Promise<Buffer>;
}

/** One session's reads: `read` hashes what it returns in order, `verified` fails if that is not the digest. */
interface ContentPass {
  readonly size: number;
  read(start: number, end: number): Promise<Buffer>;
  verified(): Promise<void>;
}

/** The whole blob in memory, checked against its descriptor before anything is sent. */
async function wholeContent(blob: Blob): Promise<UploadContent> {
  const { digest, size } = blob.descriptor;
  const bytes = await blob.bytes();
  // The registry would refuse mismatched bytes too; checking here turns a confusing remote error into a clear one.
  if (sha256Digest(bytes) !== digest || bytes.length !== size) {
    throw (
      blob.corrupted?.(sha256Digest(bytes)) ??
      new Error(
        `blob ${digest} does not match its bytes (${bytes.length} bytes) — a bug in the blob's producer`,
      )
    );
  }
  const read = async (start: number, end: number) => bytes.subarray(start, end);
  return { read, start: () => ({ size, read, verified: async () => {} }) };
}

/**
 * The blob read slice by slice as the chunks go out. Each pass hashes the slices it reads in order;
 * before the closing PUT, `verified`
 * compares the hash with the digest, so a corrupted file is never committed under its name.
 */
function slicedContent(blob: Blob): UploadContent {
  const { digest, size } = blob.descriptor;
  const read = (start: number, end: number) => blob.slice!(start, end);
  return {
    read,
    start() {
      let hash: Hash = createHash("sha256");
      let hashed = 0;
      return {
        size,
        async read(start, end) {
          const bytes = await read(start, end);
          // Only what extends the hashed prefix: a chunk sent again is not hashed twice.
          if (start <= hashed && hashed < end) {
            hash.update(bytes.subarray(hashed - start));
            hashed = end;
          }
          return bytes;
        },
        async verified() {
          if (hashed !== size) {
            // The registry skipped ahead of what was read in order: hash the whole blob again.
            hash = createHash("sha256");
            for (let at = 0; at < size; at = Math.min(size, at + SLICE_BYTES)) {
              hash.update(await read(at, Math.min(size, at + SLICE_BYTES)));
            }
          }
          const actual: Digest = `sha256:${hash.digest("hex")}`;
          if (actual !== digest) {
            throw blob.corrupted?.(actual) ?? new Error(`blob ${digest} was read as ${actual}`);
          }
        },
      };
    },
  };
}

const SLICE_BYTES = 8 * 1024 * 1024;

const pushScope = (repository: string) => [repositoryScope(repository, ["pull", "push"])];

async function openSession(session: RegistrySession, repository: string): Promise<URL> {
  const response = await session.send({
    method: "POST",
    target: `/v2/${repository}/blobs/uploads/`,
    scopes: pushScope(repository),
    headers: { "Content-Length": "0" },
    // Sent twice, it opens a second session; the unused one expires on the registry. Safe to retry.
    idempotent: true,
  });
  if (response.status !== 202) throw session.failure(response, `start an upload to ${repository}`);
  return nextLocation(session, response);
}

/** The Location to continue at; it may be relative and carries query state (`_state`) that must be kept. */
export function nextLocation(session: RegistrySession, response: HttpResponse): URL {
  const location = headerValue(response.headers, "location");
  if (!location) throw new RemoteError(`registry ${session.registry} sent no upload Location`);
  return new URL(location, response.url);
}

/** PATCHes every chunk, resuming from the registry's offset when one breaks; returns the Location to close at. */
async function sendChunks(
  session: RegistrySession,
  repository: string,
  start: URL,
  content: ContentPass,
  tuning: UploadTuning,
  report: (sent: number) => void,
): Promise<URL> {
  let location = start;
  let offset = 0;
  let resumes = 0;
  while (offset < content.size) {
    const end = Math.min(offset + tuning.chunkBytes, content.size);
    const body = await content.read(offset, end);
    let response: HttpResponse | undefined;
    let failure: unknown;
    try {
      response = await session.send({
        method: "PATCH",
        target: location,
        scopes: pushScope(repository),
        headers: { "Content-Type": "application/octet-stream", "Content-Range": `${offset}-${end - 1}` },
        body,
      });
    } catch (error) {
      if (!(error instanceof RemoteError && error.retryable)) throw error;
      failure = error;
    }
    if (response?.status === 202) {
      location = nextLocation(session, response);
      // Trust the registry's count when it is plausible; it may have kept less than was sent.
      const got = receivedEnd(response);
      offset = got !== undefined && got > offset && got <= end ? got : end;
      report(offset);
      continue;
    }
    // 416 (range mismatch), 429 (slow down) and 5xx leave the session alive: ask where it stands and go on.
    if (response && response.status !== 416 && response.status !== 429 && response.status < 500) {
      throw session.failure(response, `upload a chunk of ${content.size} bytes to ${repository}`);
    }
    failure ??= session.failure(response!, `upload a chunk to ${repository}`);
    if (++resumes > tuning.maxResumes) throw new RestartUpload("too many resumes", { cause: failure });
    ({ location, offset } = await uploadStatus(session, repository, location, content.size, failure));
  }
  await content.verified();
  return location;
}

/**
 * Asks where a broken session stands (GET on its Location → 204 with `Range: 0-<last>`). A `0-0` range is
 * ambiguous (nothing, or one byte), so it restarts the upload like an unknown session does.
 */
async function uploadStatus(
  session: RegistrySession,
  repository: string,
  location: URL,
  total: number,
  failure: unknown,
): Promise<{ location: URL; offset: number }> {
  const response = await session.send({ method: "GET", target: location, scopes: pushScope(repository) });
  const offset = response.status === 204 ? receivedEnd(response) : undefined;
  if (offset === undefined || offset <= 1 || offset > total) {
    throw new RestartUpload("upload session lost", { cause: failure });
  }
  return {
    location: headerValue(response.headers, "location") ? nextLocation(session, response) : location,
    offset,
  };
}

/** The byte count the registry holds, from `Range: 0-<last inclusive>`. */
export function receivedEnd(response: HttpResponse): number | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(headerValue(response.headers, "range")?.trim() ?? "");
  return match ? Number(match[1]) + 1 : undefined;
}

/** The closing PUT with `?digest=`; carries the whole blob in the monolithic case. Checks the digest the registry reports. */
async function close(
  session: RegistrySession,
  repository: string,
  location: URL,
  digest: Digest,
  body: Buffer | undefined,
): Promise<void> {
  // Appended by hand: re-serialising the query through URLSearchParams could re-encode the registry's state token.
  const url = new URL(`${location.href}${location.search ? "&" : "?"}digest=${encodeURIComponent(digest)}`);
  const response = await session.send({
    method: "PUT",
    target: url,
    scopes: pushScope(repository),
    headers: { "Content-Type": "application/octet-stream" },
    body: body ?? Buffer.alloc(0),
    // Sent twice, the second PUT finds the session closed: recovery is a new session, decided above.
    idempotent: false,
  });
  if (response.status !== 201 && response.status !== 204) {
    throw session.failure(response, `finish the upload of ${digest} to ${repository}`);
  }
  const reported = headerValue(response.headers, "docker-content-digest");
  if (reported !== undefined && reported !== digest) {
    throw new RemoteError(`registry ${session.registry} stored ${digest} under another digest (${reported})`);
  }
}
