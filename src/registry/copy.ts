/**
 * Copying an image by digest from one registry (or repository) to another, as `dray promote` does:
 * the manifests are read from the source and checked against their digests, and the push code sends
 * only what the destination lacks — a blob it has is left alone, one in another repository of the
 * same registry is mounted (Distribution spec, "Mounting a blob from another repository"), any
 * other is fetched from the source, verified by digest and size, and uploaded. Nothing is trusted
 * by its name: the copy is addressed by digest from end to end.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push
 */
import { UserError } from "../errors/index.js";
import type { BlobSource, Descriptor, Digest } from "../oci/index.js";
import { formatReference, sha256Digest } from "../oci/index.js";
import { resolveRemote } from "./pull.js";
import { type PushResult, pushImage } from "./push.js";
import type { RegistryClient } from "./types.js";
import { type ImageGraph, walkImage } from "./walk.js";

/** One side of a copy: a registry and a repository in it. */
export interface CopyEnd {
  readonly client: RegistryClient;
  readonly repository: string;
}

/** What a copy did, and the image's documents (manifests, indexes, configs) by digest. */
export interface CopyResult {
  readonly top: Descriptor;
  /** "present": the destination had the whole image already; nothing was sent. */
  readonly action: "present" | "copied";
  /** The push's report when something had to be sent. */
  readonly push?: PushResult;
  readonly documents: ReadonlyMap<Digest, Buffer>;
}

/** Config media types: small documents the caller reads (platform, user), fetched with the manifests. */
const CONFIG_TYPES = new Set([
  "application/vnd.oci.image.config.v1+json",
  "application/vnd.docker.container.image.v1+json",
]);

/** An image read from a registry by digest: what it reaches, and its manifests, indexes and configs. */
export interface RemoteImage {
  readonly graph: ImageGraph;
  readonly documents: ReadonlyMap<Digest, Buffer>;
}

/** Reads `digest`'s manifests and configs from `from`, each checked against its digest and size. */
export async function readRemoteImage(from: CopyEnd, digest: Digest): Promise<RemoteImage> {
  const top = await resolveRemote(from.client, from.repository, digest);
  const documents = new Map<Digest, Buffer>();
  const graph = await walkImage(top, async (descriptor) => {
    const fetched = await from.client.getManifest(from.repository, descriptor.digest);
    checkContent(from, descriptor, fetched.bytes);
    documents.set(descriptor.digest, fetched.bytes);
    return fetched.bytes;
  });
  for (const blob of graph.blobs.filter((b) => CONFIG_TYPES.has(b.mediaType))) {
    const bytes = await from.client.getBlob(from.repository, blob.digest);
    checkContent(from, blob, bytes);
    documents.set(blob.digest, bytes);
  }
  return { graph, documents };
}

/** Copies `digest` and everything it reaches from `from` to `to`, sending only what `to` lacks. */
export async function copyImage(
  from: CopyEnd,
  to: CopyEnd,
  digest: Digest,
  options: { concurrency?: number; read?: RemoteImage } = {},
): Promise<CopyResult> {
  const { graph, documents } = options.read ?? (await readRemoteImage(from, digest));
  // A registry accepts a manifest only once everything it names is there: its presence proves the image's.
  if (await to.client.headManifest(to.repository, graph.top.digest))
    return { top: graph.top, action: "present", documents };
  const source: BlobSource = {
    root: formatReference({ registry: from.client.registry, repository: from.repository, digest }),
    async readBlob(wanted) {
      const held = documents.get(wanted);
      if (held) return held;
      // The client checks the bytes against the digest; pushImage checks the size against the manifest.
      return from.client.getBlob(from.repository, wanted);
    },
  };
  const sameRegistry = from.client.registry === to.client.registry;
  const push = await pushImage({
    client: to.client,
    repository: to.repository,
    source,
    top: graph.top,
    tags: [],
    ...(sameRegistry ? { mountFrom: [from.repository] } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  });
  return { top: graph.top, action: "copied", push, documents };
}

function checkContent(from: CopyEnd, descriptor: Descriptor, bytes: Buffer): void {
  const actual = sha256Digest(bytes);
  if (actual === descriptor.digest && bytes.length === descriptor.size) return;
  const where = formatReference({ registry: from.client.registry, repository: from.repository });
  throw new UserError(
    `${where} sent ${actual} (${bytes.length} bytes) for ${descriptor.digest} (${descriptor.size} bytes); nothing was copied`,
    {
      hint: "the registry or a proxy on the way corrupts content; try again, or report it to the registry's operator",
    },
  );
}
