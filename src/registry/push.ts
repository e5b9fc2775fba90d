/**
 * Publishing an image from the local layout to a registry, sending only what the registry lacks.
 * Order matters for safety: blobs, then manifests by digest, then the index by digest, and tags last.
 * A registry rejects a manifest whose blobs are missing (Distribution spec, "Pushing Manifests"), but a
 * tag is what users pull, so no tag is written until everything it reaches is in place: a push that fails
 * anywhere leaves the tags where they were.
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#push
 */
import { UserError } from "../errors/index.js";
import type { Blob, BlobSource, Descriptor, Digest } from "../oci/index.js";
import { isTag } from "../oci/index.js";
import type { Tracer } from "../report/index.js";
import { runLimited } from "./run-limited.js";
import type { RegistryClient } from "./types.js";
import { walkImage } from "./walk.js";

/** What happened to one blob: the registry had it, mounted it from another repository, or received it. */
export type BlobAction = "exists" | "mounted" | "uploaded";

/** Progress of a push, one event per step; a union keyed on `type`. */
export type PushEvent =
  | { type: "blob-start"; digest: Digest; size: number }
  | { type: "blob-progress"; digest: Digest; sent: number; total: number }
  | { type: "blob-done"; digest: Digest; size: number; action: BlobAction }
  | { type: "manifest"; digest: Digest; mediaType: string; size: number; action: "exists" | "put" }
  | { type: "tag"; tag: string; digest: Digest; action: "exists" | "put" };

/** What a push did. */
export interface PushResult {
  repository: string;
  tags: string[];
  top: Descriptor;
  /** Every config and layer, deduplicated, in manifest order. */
  blobs: { digest: Digest; size: number; action: BlobAction }[];
  /** Blob bytes uploaded. */
  bytesSent: number;
  /** Blob bytes the registry already had or mounted. */
  bytesSkipped: number;
  /** Manifest PUTs: by digest and by tag. */
  manifestsPut: number;
}

/** What to push where. */
export interface PushOptions {
  client: RegistryClient;
  repository: string;
  /** Where the image's blobs are read from. */
  source: BlobSource;
  /** The index or manifest the tags will point at. */
  top: Descriptor;
  tags: string[];
  /** Other repositories of the same registry that may hold the blobs (cross-repository mount). */
  mountFrom?: string[];
  /** Blobs in flight at once; default 4. */
  concurrency?: number;
  onProgress?: (event: PushEvent) => void;
  tracer?: Tracer;
  /** The service the spans belong to. */
  subject?: string;
}

/** Pushes `top` and everything it reaches from `source`, then points `tags` at it. */
export async function pushImage(options: PushOptions): Promise<PushResult> {
  const { client, repository, source, top, tags } = options;
  const bad = tags.filter((tag) => !isTag(tag));
  if (bad.length > 0) {
    throw new UserError(`invalid tag ${bad.map((t) => JSON.stringify(t)).join(", ")}`, {
      hint: "a tag is up to 128 letters, digits, '_', '.' and '-', and does not start with '.' or '-'",
    });
  }
  const emit = options.onProgress ?? (() => {});
  const span = <T>(name: string, fn: () => Promise<T>) =>
    options.tracer ? options.tracer.span(name, fn, spanOptions(options.subject)) : fn();

  const graph = await walkImage(top, (descriptor) => source.readBlob(descriptor.digest));
  // A registry accepts a manifest only once every blob it names is present, so tags that already
  // point at this exact digest prove the whole image is there: one HEAD per tag instead of one per
  // blob and manifest. This is what makes a no-change push of a whole fleet cheap.
  if (tags.length > 0) {
    const current = await span("push check", () =>
      Promise.all(tags.map((tag) => client.headManifest(repository, tag))),
    );
    if (current.every((d) => d?.digest === graph.top.digest)) {
      const blobs = graph.blobs.map((b) => ({ digest: b.digest, size: b.size, action: "exists" as const }));
      for (const blob of blobs) emit({ type: "blob-done", ...blob });
      for (const tag of tags) emit({ type: "tag", tag, digest: graph.top.digest, action: "exists" });
      const bytesSkipped = blobs.reduce((n, b) => n + b.size, 0);
      return {
        repository,
        tags: [...tags],
        top: graph.top,
        blobs,
        bytesSent: 0,
        bytesSkipped,
        manifestsPut: 0,
      };
    }
  }
  const mountFrom = [...new Set(options.mountFrom ?? [])].filter((repo) => repo !== repository);
  const blobs = await span("push blobs", () =>
    runLimited(graph.blobs, options.concurrency ?? 4, (descriptor) =>
      pushBlob(client, repository, source, descriptor, mountFrom, emit),
    ),
  );

  let manifestsPut = 0;
  await span("push manifests", async () => {
    // Sequential, children first: each PUT may rely on the ones before it (an index on its manifests).
    for (const { descriptor, bytes } of graph.manifests) {
      const present = await client.headManifest(repository, descriptor.digest);
      if (!present) {
        await client.putManifest(repository, descriptor.digest, descriptor.mediaType, bytes);
        manifestsPut++;
      }
      emit({ type: "manifest", ...descriptor, action: present ? "exists" : "put" });
    }
  });

  const topBytes = graph.manifests[graph.manifests.length - 1]!.bytes;
  await span("push tags", async () => {
    for (const tag of tags) {
      const current = await client.headManifest(repository, tag);
      const action = current?.digest === graph.top.digest ? "exists" : "put";
      if (action === "put") {
        await client.putManifest(repository, tag, graph.top.mediaType, topBytes);
        manifestsPut++;
      }
      emit({ type: "tag", tag, digest: graph.top.digest, action });
    }
  });

  let bytesSent = 0;
  let bytesSkipped = 0;
  for (const blob of blobs) {
    if (blob.action === "uploaded") bytesSent += blob.size;
    else bytesSkipped += blob.size;
  }
  return { repository, tags: [...tags], top: graph.top, blobs, bytesSent, bytesSkipped, manifestsPut };
}

/** HEAD, else mount from each candidate repository, else upload (Distribution spec, "Mounting a blob"). */
async function pushBlob(
  client: RegistryClient,
  repository: string,
  source: BlobSource,
  descriptor: Descriptor,
  mountFrom: readonly string[],
  emit: (event: PushEvent) => void,
): Promise<{ digest: Digest; size: number; action: BlobAction }> {
  const { digest, size } = descriptor;
  emit({ type: "blob-start", digest, size });
  let action: BlobAction = "exists";
  if (!(await client.hasBlob(repository, digest))) {
    action = "mounted";
    if (!(await mountFromAny(client, repository, digest, mountFrom))) {
      action = "uploaded";
      await client.uploadBlob(repository, localBlob(source, descriptor), (progress) =>
        emit({ type: "blob-progress", digest, sent: progress.sent, total: progress.total }),
      );
    }
  }
  emit({ type: "blob-done", digest, size, action });
  return { digest, size, action };
}

async function mountFromAny(
  client: RegistryClient,
  repository: string,
  digest: Digest,
  candidates: readonly string[],
): Promise<boolean> {
  for (const from of candidates) {
    if (await client.mountBlob(repository, digest, from)) return true;
  }
  return false;
}

/**
 * The blob read lazily from the layout (readBlob verifies the digest); a size the manifest contradicts
 * is refused. A large one is read in slices, which the upload hashes as it sends them.
 */
function localBlob(source: BlobSource, descriptor: Descriptor): Blob {
  const { digest } = descriptor;
  return {
    descriptor,
    ...(source.readSlice ? { slice: (start, end) => source.readSlice!(digest, start, end) } : {}),
    ...(source.corrupted ? { corrupted: (actual) => source.corrupted!(digest, actual) } : {}),
    async bytes() {
      const data = await source.readBlob(descriptor.digest);
      if (data.length !== descriptor.size) {
        throw new UserError(
          `blob ${descriptor.digest} in ${source.root} is ${data.length} bytes, its manifest says ${descriptor.size}`,
        );
      }
      return data;
    },
  };
}

function spanOptions(subject: string | undefined): { subject?: string } {
  return subject === undefined ? {} : { subject };
}
