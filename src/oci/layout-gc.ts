/**
 * Garbage collection in an OCI image layout: which blobs are on disk, which ones the roots in index.json
 * reach, and removing blobs that nothing reaches. The spec allows removing unreachable blobs:
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md#indexjson-file
 * Reachability follows image indexes → manifests → config and layers, in OCI and Docker media types.
 */
import { readdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { digestHex, isDigest } from "./digest.js";
import type { LayoutStore } from "./layout-store.js";
import type { Descriptor, Digest } from "./types.js";
import { type ManifestFields, manifestKind, namedIn, walkManifests } from "./walk.js";

/** A blob file in the layout and its size on disk. */
export interface BlobFile {
  digest: Digest;
  size: number;
}

const HEX_NAME = /^[0-9a-f]{64}$/;

/** Every blob under `blobs/sha256`, sorted by digest; temp files and foreign names are not blobs. */
export async function listBlobFiles(blobDir: string): Promise<BlobFile[]> {
  const names = await readdir(blobDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const found = await Promise.all(
    names
      .filter((name) => HEX_NAME.test(name))
      .map(async (name): Promise<BlobFile | undefined> => {
        const info = await stat(path.join(blobDir, name)).catch(() => undefined);
        return info?.isFile() ? { digest: `sha256:${name}`, size: info.size } : undefined;
      }),
  );
  return found
    .filter((blob): blob is BlobFile => blob !== undefined)
    .sort((a, b) => (a.digest < b.digest ? -1 : 1));
}

/**
 * Every digest that `roots` reach, the roots included. A root or child whose blob is missing reaches
 * nothing further (there is no path through it); one that is present but corrupted throws (from readBlob),
 * because what it would protect cannot be known and deleting on a guess could break an image. Every
 * entry of an index is followed, whatever its platform.
 */
export async function reachableFrom(
  roots: readonly Descriptor[],
  store: Pick<LayoutStore, "hasBlob" | "readBlob">,
): Promise<Set<Digest>> {
  const reached = new Set<Digest>();
  await walkManifests(roots, {
    async open(descriptor) {
      if (!isDigest(descriptor.digest)) return undefined;
      reached.add(descriptor.digest);
      if (!manifestKind(descriptor.mediaType) || !(await store.hasBlob(descriptor.digest))) return undefined;
      return children(await store.readBlob(descriptor.digest));
    },
  });
  return reached;
}

/** What an index or manifest names; bytes that are not JSON name nothing (the digest was verified, so they are what the tag says). */
function children(bytes: Buffer): Descriptor[] {
  let document: ManifestFields;
  try {
    document = JSON.parse(bytes.toString("utf8"));
  } catch {
    return [];
  }
  if (typeof document !== "object" || document === null) return [];
  return namedIn(document).filter(
    (item): item is Descriptor =>
      typeof item === "object" &&
      item !== null &&
      isDigest((item as Descriptor).digest) &&
      typeof (item as Descriptor).mediaType === "string",
  );
}

/** Deletes the blob files of `digests` that are not in `keep`; returns the bytes freed. Missing files are skipped. */
export async function unlinkBlobs(
  blobDir: string,
  digests: readonly Digest[],
  keep: ReadonlySet<Digest>,
): Promise<number> {
  let freed = 0;
  for (const digest of new Set(digests)) {
    // isDigest first: digestHex would throw, and a malformed name must never become a path.
    if (!isDigest(digest) || keep.has(digest)) continue;
    const file = path.join(blobDir, digestHex(digest));
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    try {
      await unlink(file);
      freed += info.size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return freed;
}
