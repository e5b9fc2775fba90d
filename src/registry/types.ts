/**
 * The OCI Distribution client's contract (https://github.com/opencontainers/distribution-spec/blob/main/spec.md).
 * The registry is one more sink and source of the same image values as the local layout.
 */
import type { Blob, Descriptor, Digest } from "../oci/index.js";

/** How to reach one registry. */
export interface RegistryOptions {
  /** Allow plain HTTP (and skip TLS verification) for this registry. Loopback registries may use HTTP without it. */
  insecure?: boolean;
  /** Extra PEM CA bundle trusted for this registry. */
  caFile?: string;
  /** Where credentials come from; default: Docker's and Podman's config files and credential helpers. */
  credentials?: CredentialSource;
  /** Attempts for a request that failed in a way a retry may fix (429, 5xx, connection reset). Default 5. */
  maxAttempts?: number;
  /** Injected for tests: waits between retries. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry, for progress output; never receives credentials. */
  onRetry?: (info: { method: string; url: string; attempt: number; reason: string; delayMs: number }) => void;
}

/** Username/password or an identity token for one registry host. Never printed. */
export interface Credential {
  username?: string;
  password?: string;
  /** A refresh token (Docker's `identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
}

/** Looks up credentials for a registry host. */
export interface CredentialSource {
  get(registry: string): Promise<Credential | undefined>;
}

/** A manifest as fetched. */
export interface FetchedManifest {
  mediaType: string;
  digest: Digest;
  bytes: Buffer;
}

/** Bytes moved by one blob upload. */
export interface UploadProgress {
  digest: Digest;
  sent: number;
  total: number;
}

/** One registry host. Every method retries what may succeed on retry and throws RemoteError/UserError otherwise. */
export interface RegistryClient {
  readonly registry: string;
  /** HEAD the blob. */
  hasBlob(repository: string, digest: Digest): Promise<boolean>;
  /** Cross-repository mount; false when the registry would not mount (then upload). */
  mountBlob(repository: string, digest: Digest, fromRepository: string): Promise<boolean>;
  /** Upload a blob: monolithic when small, chunked when large; the digest is checked by the registry. */
  uploadBlob(repository: string, blob: Blob, onProgress?: (progress: UploadProgress) => void): Promise<void>;
  /** GET a blob and verify its digest. */
  getBlob(repository: string, digest: Digest): Promise<Buffer>;
  /** PUT a manifest or index by tag or digest; returns the digest the registry reports, checked against ours. */
  putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<Digest>;
  /** GET a manifest by tag or digest, accepting OCI and Docker media types; verified when fetched by digest. */
  getManifest(repository: string, reference: string): Promise<FetchedManifest>;
  /** HEAD a manifest: its descriptor, or undefined when the registry does not have it. */
  headManifest(repository: string, reference: string): Promise<Descriptor | undefined>;
  /**
   * GET the referrers API's index for `digest` (Distribution spec, "Listing Referrers"); undefined
   * when the registry has no referrers API (a 404), so callers use the referrers tag schema instead.
   */
  getReferrers?(repository: string, digest: Digest): Promise<Buffer | undefined>;
}
