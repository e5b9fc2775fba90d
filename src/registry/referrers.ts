/**
 * OCI 1.1 referrers: artifacts (an SBOM, a provenance statement, a signature) that name an image as
 * their `subject`. A registry with the referrers API lists them itself; one without it (distribution
 * 2.8) gets the referrers tag schema: an image index tagged `sha256-<hex>` that the client keeps up
 * to date (Distribution spec, "Referrers Tag Schema" and "Pushing Manifests with Subject").
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 */
import { RemoteError } from "../errors/index.js";
import {
  canonicalJson,
  type Descriptor,
  type Digest,
  digestHex,
  isDigest,
  MediaType,
  sha256Digest,
} from "../oci/index.js";
import type { RegistryClient } from "./types.js";

/** A descriptor in a referrers list: the artifact manifest, with its artifactType and annotations. */
export interface ReferrerDescriptor extends Descriptor {
  artifactType?: string;
}

/** An artifact ready to push: its manifest bytes, the descriptor naming them, and the blobs it needs. */
export interface Artifact {
  descriptor: ReferrerDescriptor;
  manifest: Buffer;
  blobs: readonly { descriptor: Descriptor; bytes: Buffer }[];
}

/** The referrers of one image and how the registry keeps them. */
export interface ReferrerListing {
  descriptors: ReferrerDescriptor[];
  /** True when the registry has the referrers API; false when the tag schema holds them. */
  api: boolean;
}

/** What attaching did: each artifact was there already or was pushed. */
export interface AttachResult {
  put: Digest[];
  existing: Digest[];
  /** Bytes of the blobs uploaded (the registry lacked them). */
  bytesSent: number;
}

/** The tag the referrers tag schema uses for `digest`: "<alg>-<hex>". */
export function referrersTag(digest: Digest): string {
  return `sha256-${digestHex(digest)}`;
}

/** The referrers of `subject` in `repository`, from the API or else from the schema's tag. */
export async function listReferrers(
  client: RegistryClient,
  repository: string,
  subject: Digest,
): Promise<ReferrerListing> {
  const fromApi = client.getReferrers ? await client.getReferrers(repository, subject) : undefined;
  if (fromApi) return { descriptors: indexEntries(fromApi, client.registry), api: true };
  return { descriptors: await taggedReferrers(client, repository, subject), api: false };
}

/**
 * Pushes each artifact that `subject` does not list yet (blobs first, then the manifest by digest)
 * and, without the referrers API, adds them to the `sha256-<hex>` index in one PUT. An artifact
 * already listed is not sent again, as blobs are not.
 */
export async function attachReferrers(
  client: RegistryClient,
  repository: string,
  subject: Digest,
  artifacts: readonly Artifact[],
  /** The subject's listing when the caller has just read it. */
  known?: ReferrerListing,
): Promise<AttachResult> {
  const listing = known ?? (await listReferrers(client, repository, subject));
  const listed = new Set(listing.descriptors.map((d) => d.digest));
  const missing = artifacts.filter((a) => !listed.has(a.descriptor.digest));
  let bytesSent = 0;
  for (const artifact of missing) {
    for (const blob of artifact.blobs) {
      if (await client.hasBlob(repository, blob.descriptor.digest)) continue;
      await client.uploadBlob(repository, { descriptor: blob.descriptor, bytes: async () => blob.bytes });
      bytesSent += blob.descriptor.size;
    }
    await client.putManifest(repository, artifact.descriptor.digest, MediaType.manifest, artifact.manifest);
  }
  if (missing.length > 0 && !listing.api) {
    // Read again just before writing: another pusher may have added to it since the listing.
    const current = await taggedReferrers(client, repository, subject);
    const known = new Set(current.map((d) => d.digest));
    const added = missing.map((a) => a.descriptor).filter((d) => !known.has(d.digest));
    const index = { schemaVersion: 2, mediaType: MediaType.index, manifests: [...current, ...added] };
    await client.putManifest(
      repository,
      referrersTag(subject),
      MediaType.index,
      Buffer.from(canonicalJson(index)),
    );
  }
  return {
    put: missing.map((a) => a.descriptor.digest),
    existing: artifacts.filter((a) => listed.has(a.descriptor.digest)).map((a) => a.descriptor.digest),
    bytesSent,
  };
}

/** The entries of the schema's tagged index; none when the tag does not exist. */
async function taggedReferrers(
  client: RegistryClient,
  repository: string,
  subject: Digest,
): Promise<ReferrerDescriptor[]> {
  try {
    const fetched = await client.getManifest(repository, referrersTag(subject));
    return indexEntries(fetched.bytes, client.registry);
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return [];
    throw error;
  }
}

/** The well-formed manifest descriptors of an index document. */
function indexEntries(bytes: Buffer, registry: string): ReferrerDescriptor[] {
  let parsed: { manifests?: unknown };
  try {
    parsed = JSON.parse(bytes.toString("utf8")) as { manifests?: unknown };
  } catch {
    throw new RemoteError(
      `registry ${registry} sent a referrers list that is not JSON (sha256 ${sha256Digest(bytes)})`,
    );
  }
  if (!Array.isArray(parsed.manifests)) return [];
  return parsed.manifests.filter(
    (d): d is ReferrerDescriptor =>
      typeof d === "object" &&
      d !== null &&
      isDigest((d as Descriptor).digest) &&
      typeof (d as Descriptor).mediaType === "string" &&
      Number.isSafeInteger((d as Descriptor).size),
  );
}

/** An artifact manifest (image-spec 1.1, "Guidelines for Artifact Usage"): one blob, `subject`, `artifactType`. */
export function artifactManifest(options: {
  artifactType: string;
  subject: Descriptor;
  blob: { mediaType: string; bytes: Buffer };
  annotations?: Record<string, string>;
}): Artifact {
  const layer: Descriptor = {
    mediaType: options.blob.mediaType,
    digest: sha256Digest(options.blob.bytes),
    size: options.blob.bytes.length,
  };
  const empty = Buffer.from("{}");
  const config: Descriptor = {
    mediaType: "application/vnd.oci.empty.v1+json",
    digest: sha256Digest(empty),
    size: empty.length,
  };
  const { mediaType, digest, size } = options.subject;
  const document = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    artifactType: options.artifactType,
    config,
    layers: [layer],
    subject: { mediaType, digest, size },
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const manifest = Buffer.from(canonicalJson(document));
  return {
    descriptor: {
      mediaType: MediaType.manifest,
      digest: sha256Digest(manifest),
      size: manifest.length,
      artifactType: options.artifactType,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    manifest,
    blobs: [
      { descriptor: config, bytes: empty },
      { descriptor: layer, bytes: options.blob.bytes },
    ],
  };
}

/** An artifact as fetched: its manifest's artifactType and annotations, and its first layer's bytes. */
export interface FetchedArtifact {
  artifactType: string | undefined;
  annotations: Record<string, string>;
  subject: Digest | undefined;
  layerMediaType: string;
  blob: Buffer;
}

/** Artifacts above this size are not ours (SBOMs, statements and bundles are kilobytes): not downloaded. */
const MAX_ARTIFACT_BYTES = 16 * 1024 * 1024;

/** Fetches the artifact `descriptor` names, or undefined when it is not a one-layer artifact manifest. */
export async function fetchArtifact(
  client: RegistryClient,
  repository: string,
  descriptor: Descriptor,
): Promise<FetchedArtifact | undefined> {
  const fetched = await client.getManifest(repository, descriptor.digest);
  let manifest: {
    artifactType?: unknown;
    annotations?: unknown;
    subject?: { digest?: unknown };
    layers?: Partial<Descriptor>[];
  };
  try {
    manifest = JSON.parse(fetched.bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  const layer = Array.isArray(manifest.layers) ? manifest.layers[0] : undefined;
  if (
    !layer ||
    !isDigest(layer.digest) ||
    typeof layer.mediaType !== "string" ||
    !Number.isSafeInteger(layer.size) ||
    (layer.size ?? 0) > MAX_ARTIFACT_BYTES
  ) {
    return undefined;
  }
  const blob = await client.getBlob(repository, layer.digest);
  const annotations =
    typeof manifest.annotations === "object" && manifest.annotations !== null
      ? (manifest.annotations as Record<string, string>)
      : {};
  return {
    artifactType: typeof manifest.artifactType === "string" ? manifest.artifactType : undefined,
    annotations,
    subject: isDigest(manifest.subject?.digest) ? manifest.subject.digest : undefined,
    layerMediaType: layer.mediaType,
    blob,
  };
}
