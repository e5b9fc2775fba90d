/**
 * Checking a whole OCI image layout without trusting any file by its name: every blob is hashed
 * (streamed), index.json must parse, and every tag must reach only blobs that are there, intact, at
 * the size their descriptors say, through manifests and configs that parse.
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 */
import os from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import { UserError } from "../errors/index.js";
import type { BlobState } from "./blob-file.js";
import { digestHex, isDigest } from "./digest.js";
import type { LayoutStore } from "./layout-store.js";
import { type Descriptor, type Digest, MediaType } from "./types.js";
import { type ManifestFields, type ManifestKind, manifestKind, walkManifests } from "./walk.js";

/** Why a blob cannot be used: not there, content of another digest, another size than a descriptor says, or a document that does not parse. */
export type BlobFault = "missing" | "corrupt" | "size" | "unparsable";

/** A tag whose image cannot be used, and the first blob on the way that is at fault. */
export interface BrokenTag {
  tag: string;
  top: Descriptor;
  blob: Digest;
  fault: BlobFault;
}

/** What checkLayout found. */
export interface LayoutCheck {
  root: string;
  /** Blob files hashed, and their bytes. */
  blobs: number;
  bytes: number;
  tags: number;
  /** Blob files whose content hashes to another digest: name → what the content hashes to. */
  corrupt: Map<Digest, Digest>;
  /** index.json's problem when it does not parse (no tag was checked then). */
  unreadableIndex?: string;
  brokenTags: BrokenTag[];
  /** The state of any blob, answered from the hashing already done (blobs written since are hashed now). */
  blobState(digest: Digest): Promise<BlobState>;
}

const CONFIG_TYPES = new Set<string>([MediaType.config, MediaType.dockerConfig]);

/** Hashes every blob of `store`, then walks every tag; reads, never writes. */
export async function checkLayout(store: LayoutStore): Promise<LayoutCheck> {
  const files = await store.listBlobs();
  // Hashing is CPU work on this thread; a few at once keep the disk busy while it runs.
  const limit = pLimit(Math.max(2, Math.min(8, os.availableParallelism())));
  const states = new Map<Digest, Promise<BlobState>>();
  const hashed = await Promise.all(
    files.map((file) => limit(() => store.checkBlob(file.digest)).then((state) => [file, state] as const)),
  );
  const corrupt = new Map<Digest, Digest>();
  for (const [file, state] of hashed) {
    states.set(file.digest, Promise.resolve(state));
    if (state.state === "corrupt") corrupt.set(file.digest, state.actual);
  }
  const blobState = (digest: Digest): Promise<BlobState> => {
    let state = states.get(digest);
    if (!state) {
      state = store.checkBlob(digest);
      states.set(digest, state);
    }
    return state;
  };
  const check: LayoutCheck = {
    root: store.root,
    blobs: files.length,
    bytes: files.reduce((sum, file) => sum + file.size, 0),
    tags: 0,
    corrupt,
    brokenTags: [],
    blobState,
  };
  let tags: Record<string, Descriptor>;
  try {
    tags = await store.listTags();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    check.unreadableIndex = error.cause instanceof Error ? error.cause.message : error.message;
    return check;
  }
  const faults = new Map<Digest, Promise<{ blob: Digest; fault: BlobFault } | undefined>>();
  for (const [tag, top] of Object.entries(tags)) {
    check.tags++;
    let first = faults.get(top.digest);
    if (!first) {
      first = firstFault(store, top, blobState);
      faults.set(top.digest, first);
    }
    const found = await first;
    if (found) check.brokenTags.push({ tag, top, ...found });
  }
  return check;
}

/** The first blob `top` reaches that cannot be used, walking index → manifests → config and layers. */
async function firstFault(
  store: LayoutStore,
  top: Descriptor,
  blobState: (digest: Digest) => Promise<BlobState>,
): Promise<{ blob: Digest; fault: BlobFault } | undefined> {
  let found: { blob: Digest; fault: BlobFault } | undefined;
  await walkManifests([top], {
    async open(descriptor) {
      if (found) return undefined;
      const { digest } = descriptor;
      const state = await blobState(digest);
      const fault: BlobFault | undefined =
        state.state !== "ok" ? state.state : state.size !== descriptor.size ? "size" : undefined;
      if (fault) {
        found = { blob: digest, fault };
        return undefined;
      }
      const kind = manifestKind(descriptor.mediaType);
      if (!kind && !CONFIG_TYPES.has(descriptor.mediaType)) return undefined;
      const document = parse(await store.readBlob(digest));
      const children = document && (kind ? childrenOf(kind, document) : []);
      if (!children) found = { blob: digest, fault: "unparsable" };
      return children;
    },
  });
  return found;
}

function parse(bytes: Buffer): ManifestFields | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null ? (value as ManifestFields) : undefined;
  } catch {
    return undefined;
  }
}

/** An index's manifests, or a manifest's config and layers; undefined when they are not all descriptors. */
function childrenOf(kind: ManifestKind, document: ManifestFields): Descriptor[] | undefined {
  const list =
    kind === "index"
      ? document.manifests
      : Array.isArray(document.layers)
        ? [document.config, ...document.layers]
        : undefined;
  return Array.isArray(list) && list.every(isDescriptor) ? list : undefined;
}

function isDescriptor(item: unknown): item is Descriptor {
  const candidate = item as Partial<Descriptor> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    isDigest(candidate.digest) &&
    typeof candidate.mediaType === "string" &&
    Number.isSafeInteger(candidate.size)
  );
}

/** Where the file of `digest` lives in the layout at `root`, for messages. */
export function blobFilePath(root: string, digest: Digest): string {
  return path.join(root, "blobs", "sha256", digestHex(digest));
}
