/**
 * Pulling an image from a registry into the local layout: only blobs the layout lacks are fetched, every
 * one is checked against its digest and size, and bytes are stored exactly as received, Docker v2 media
 * types included, because re-encoding would change every digest above them.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pull
 */
import { ExitCode, UserError } from "../errors/index.js";
import type { Descriptor, Digest, LayoutStore, Platform } from "../oci/index.js";
import { formatReference, isDigest, sha256Digest } from "../oci/index.js";
import { runLimited } from "./run-limited.js";
import type { RegistryClient } from "./types.js";
import { type ImageGraph, plainDescriptor, walkImage } from "./walk.js";

/** What to pull and where to. */
export interface PullOptions {
  client: RegistryClient;
  repository: string;
  /** The index or manifest to pull (resolve a tag first with resolveRemote). */
  digest: Digest;
  into: LayoutStore;
  /** Only these platforms' manifests and blobs; default all. The index itself is always stored whole. */
  platforms?: Platform[];
  /** Point this ref name in the layout at the pulled image. */
  tag?: string;
  /** Blobs in flight at once; default 4. */
  concurrency?: number;
}

/** What a pull did. */
export interface PullResult {
  top: Descriptor;
  /** Bytes received: manifests, configs and layers the layout did not have. */
  bytesFetched: number;
}

/** The descriptor `reference` (a tag or a digest) names in `repository`; a missing one is a UserError. */
export async function resolveRemote(
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<Descriptor> {
  const head = await client.headManifest(repository, reference);
  if (!head) {
    const named = isDigest(reference) ? { digest: reference } : { tag: reference };
    throw new UserError(`${formatReference({ registry: client.registry, repository, ...named })} not found`, {
      exitCode: ExitCode.usage,
      hint: "check the repository and the tag or digest",
    });
  }
  if (isDigest(head.digest) && Number.isSafeInteger(head.size) && head.size > 0 && head.mediaType) {
    return checkedAgainst(reference, plainDescriptor(head));
  }
  // A HEAD answer without a digest or length is allowed (Distribution spec, "Checking if content exists"):
  // then the document itself is the only source of truth.
  const fetched = await client.getManifest(repository, reference);
  const descriptor = {
    mediaType: fetched.mediaType,
    digest: sha256Digest(fetched.bytes),
    size: fetched.bytes.length,
  };
  return checkedAgainst(reference, descriptor);
}

/** Fetches `digest` and what it reaches (limited to `platforms`) into `into`, then tags it if asked. */
export async function pullImage(options: PullOptions): Promise<PullResult> {
  const { client, repository, into } = options;
  let bytesFetched = 0;
  const fetched = await client.getManifest(repository, options.digest);
  checkContent(options.digest, fetched.bytes, fetched.bytes.length);
  bytesFetched += fetched.bytes.length;
  const top: Descriptor = {
    mediaType: fetched.mediaType,
    digest: options.digest,
    size: fetched.bytes.length,
  };

  const graph = await walkImage(
    top,
    async (descriptor) => {
      if (descriptor.digest === top.digest) return fetched.bytes;
      // A manifest already in the layout is read from it; its children may still be missing.
      if (await into.hasBlob(descriptor.digest)) return into.readBlob(descriptor.digest);
      const child = await client.getManifest(repository, descriptor.digest);
      checkContent(descriptor.digest, child.bytes, descriptor.size);
      bytesFetched += child.bytes.length;
      return child.bytes;
    },
    options.platforms ? { platforms: options.platforms } : {},
  );

  bytesFetched += await fetchBlobs(client, repository, into, graph, options.concurrency ?? 4);
  // Children before parents, as writeImageSet does: a reader that finds a manifest finds what it names.
  for (const { descriptor, bytes } of graph.manifests) {
    await into.writeBlob({ descriptor, bytes: async () => bytes });
  }
  if (options.tag !== undefined) await into.tag({ [options.tag]: top });
  return { top, bytesFetched };
}

/** Fetches the configs and layers the layout lacks; returns the bytes received. */
async function fetchBlobs(
  client: RegistryClient,
  repository: string,
  into: LayoutStore,
  graph: ImageGraph,
  concurrency: number,
): Promise<number> {
  const sizes = await runLimited(graph.blobs, concurrency, async (descriptor) => {
    // A blob already in the layout is kept only when its content is its digest; else it is fetched again.
    if ((await into.checkBlob(descriptor.digest)).state === "ok") return 0;
    const data = await client.getBlob(repository, descriptor.digest);
    // The client verifies the digest; the size is checked too because a manifest that lies about it
    // would make every later size-based accounting wrong.
    checkContent(descriptor.digest, data, descriptor.size);
    await into.writeBlob({ descriptor, bytes: async () => data });
    return data.length;
  });
  return sizes.reduce((sum, size) => sum + size, 0);
}

function checkContent(digest: Digest, data: Buffer, size: number): void {
  const actual = sha256Digest(data);
  if (actual !== digest || data.length !== size) {
    throw new UserError(
      `the registry sent ${actual} (${data.length} bytes) for ${digest} (${size} bytes); nothing was stored`,
      {
        hint: "the registry or a proxy on the way corrupts content; try again, or report it to the registry's operator",
      },
    );
  }
}

function checkedAgainst(reference: string, descriptor: Descriptor): Descriptor {
  if (isDigest(reference) && descriptor.digest !== reference) {
    throw new UserError(`the registry answered ${descriptor.digest} when asked for ${reference}`);
  }
  return descriptor;
}
