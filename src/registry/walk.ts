/**
 * Walking what a top descriptor reaches: image index → manifests → config and layers. The same walk serves
 * push (manifests read from the local layout) and pull (manifests fetched from the registry), so both agree
 * on what "the whole image" is. Only manifest and index documents are read; configs and layers are listed.
 * https://github.com/opencontainers/image-spec/blob/main/image-index.md and manifest.md
 */
import { ExitCode, UserError } from "../errors/errors.js";
import { isDigest, sha256Digest } from "../oci/digest.js";
import { platformName } from "../oci/platform.js";
import { type Descriptor, MediaType, type Platform } from "../oci/types.js";

/** A manifest or index found by the walk, with its bytes exactly as stored (its digest names them). */
export interface WalkedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

/** Everything a top descriptor reaches, in the order a registry will accept it. */
export interface ImageGraph {
  top: Descriptor;
  /** Configs and layers, deduplicated by digest, in the order first met. */
  blobs: Descriptor[];
  /** Manifests and indexes, deduplicated, children before parents; the top is last. */
  manifests: WalkedManifest[];
}

/** Returns the bytes of a manifest or index; the walk checks them against the descriptor. */
export type ManifestReader = (descriptor: Descriptor) => Promise<Buffer>;

/** How to walk. */
export interface WalkOptions {
  /** Follow only the index entries for these platforms (an entry matches when os, architecture and, if asked, variant do). Default: every entry. */
  platforms?: readonly Platform[];
}

const INDEX_TYPES: readonly string[] = [MediaType.index, MediaType.dockerManifestList];
const MANIFEST_TYPES: readonly string[] = [MediaType.manifest, MediaType.dockerManifest];
/** Nested indexes are legal; a few levels is plenty and bounds a hostile document. */
const MAX_DEPTH = 4;

interface Document {
  mediaType?: unknown;
  manifests?: unknown;
  config?: unknown;
  layers?: unknown;
}

/** Walks `top` with `read`; a malformed document, or a platform that the index lacks, is a UserError. */
export async function walkImage(
  top: Descriptor,
  read: ManifestReader,
  options: WalkOptions = {},
): Promise<ImageGraph> {
  const blobs = new Map<string, Descriptor>();
  const manifests = new Map<string, WalkedManifest>();

  async function visit(descriptor: Descriptor, depth: number): Promise<void> {
    if (manifests.has(descriptor.digest)) return;
    const bytes = await read(descriptor);
    const document = parseChecked(descriptor, bytes);
    if (isIndex(descriptor, document)) {
      if (depth === MAX_DEPTH) throw malformed(descriptor, "image indexes are nested too deeply");
      const entries = descriptorList(descriptor, document.manifests, "manifests");
      for (const entry of selectEntries(descriptor, entries, options.platforms, depth === 0)) {
        await visit(entry, depth + 1);
      }
    } else {
      if (document.config === undefined)
        throw malformed(descriptor, "it is neither an image index nor a manifest");
      const [config] = descriptorList(descriptor, [document.config], "config");
      for (const blob of [config!, ...descriptorList(descriptor, document.layers, "layers")]) {
        if (!blobs.has(blob.digest)) blobs.set(blob.digest, plainDescriptor(blob));
      }
    }
    // Added after its children: the registry rejects a manifest whose children are missing (Distribution
    // spec, "Pushing Manifests"), so the list is in a safe push order.
    manifests.set(descriptor.digest, { descriptor: plainDescriptor(descriptor), bytes });
  }

  await visit(top, 0);
  return { top: plainDescriptor(top), blobs: [...blobs.values()], manifests: [...manifests.values()] };
}

/** The descriptor's digest, media type and size only: platform and annotations belong to the parent's entry. */
export function plainDescriptor(descriptor: Descriptor): Descriptor {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

/** True when `entry` is an image for `wanted`: arm64 without a variant is arm64/v8; a request without a variant takes any. */
export function platformMatches(entry: Platform, wanted: Platform): boolean {
  if (entry.os !== wanted.os || entry.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || defaultVariant(entry) === defaultVariant(wanted);
}

function defaultVariant(p: Platform): string {
  return p.variant ?? (p.architecture === "arm64" ? "v8" : "");
}

function parseChecked(descriptor: Descriptor, bytes: Buffer): Document {
  // Readers verify digests too; checking here means no reader can hand the walk the wrong document.
  if (bytes.length !== descriptor.size || sha256Digest(bytes) !== descriptor.digest) {
    throw malformed(descriptor, `its content is ${sha256Digest(bytes)} (${bytes.length} bytes)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new UserError(`manifest ${descriptor.digest} is not valid JSON`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(descriptor, "it is not a JSON object");
  }
  return value as Document;
}

/** The descriptor's media type decides; a generic one (from a HEAD) falls back to the document's own. */
function isIndex(descriptor: Descriptor, document: Document): boolean {
  if (INDEX_TYPES.includes(descriptor.mediaType)) return true;
  if (MANIFEST_TYPES.includes(descriptor.mediaType)) return false;
  if (typeof document.mediaType === "string" && INDEX_TYPES.includes(document.mediaType)) return true;
  return Array.isArray(document.manifests) && document.config === undefined;
}

function descriptorList(parent: Descriptor, value: unknown, field: string): Descriptor[] {
  if (!Array.isArray(value)) throw malformed(parent, `${field} is not a list`);
  return value.map((item: Partial<Descriptor> | null) => {
    if (
      typeof item !== "object" ||
      item === null ||
      typeof item.mediaType !== "string" ||
      !isDigest(item.digest) ||
      !Number.isSafeInteger(item.size) ||
      item.size! < 0
    ) {
      throw malformed(parent, `${field} has an entry without a valid mediaType, sha256 digest and size`);
    }
    return item as Descriptor;
  });
}

/**
 * The entries of an index to follow. With platforms asked for, every platform must be found in the top
 * index (a nested index may hold only some); entries without a platform (nested indexes) are always followed.
 */
function selectEntries(
  index: Descriptor,
  entries: Descriptor[],
  platforms: readonly Platform[] | undefined,
  isTop: boolean,
): Descriptor[] {
  if (!platforms) return entries;
  const selected = entries.filter(
    (entry) => !entry.platform || platforms.some((wanted) => platformMatches(entry.platform!, wanted)),
  );
  if (isTop) {
    const missing = platforms.filter(
      (wanted) => !entries.some((e) => e.platform && platformMatches(e.platform, wanted)),
    );
    const hasNested = entries.some((entry) => !entry.platform);
    if (missing.length > 0 && !hasNested) {
      const available = entries.flatMap((e) => (e.platform ? [platformName(e.platform)] : []));
      throw new UserError(
        `image index ${index.digest} has no image for ${missing.map(platformName).join(", ")}`,
        {
          exitCode: ExitCode.usage,
          details: `available platforms: ${available.join(", ") || "none"}`,
        },
      );
    }
  }
  return selected;
}

function malformed(descriptor: Descriptor, why: string): UserError {
  return new UserError(`malformed ${descriptor.mediaType} ${descriptor.digest}: ${why}`);
}
