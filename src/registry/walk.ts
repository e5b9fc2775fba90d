/**
 * What a top descriptor reaches, for a registry: image index → manifests → config and layers, walked
 * with src/oci/walk.ts. The same graph serves push (manifests read from the local layout) and pull
 * (manifests fetched from the registry), so both agree on what "the whole image" is. Only manifest and
 * index documents are read; configs and layers are listed. Documents come from elsewhere, so each is
 * checked against its digest and its shape.
 */
import { ExitCode, UserError } from "../errors/index.js";
import type { Descriptor, Platform } from "../oci/index.js";
import {
  isDigest,
  type ManifestFields,
  manifestKind,
  platformName,
  selectPlatform,
  sha256Digest,
  walkManifests,
} from "../oci/index.js";

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
  /** Follow only the index entries for these platforms (chosen by selectPlatform). Default: every entry. */
  platforms?: readonly Platform[];
}

/** Nested indexes are legal; a few levels is plenty and bounds a hostile document. */
const MAX_DEPTH = 4;

/** Walks `top` with `read`; a malformed document, or a platform that the index lacks, is a UserError. */
export async function walkImage(
  top: Descriptor,
  read: ManifestReader,
  options: WalkOptions = {},
): Promise<ImageGraph> {
  const blobs = new Map<string, Descriptor>();
  const manifests = new Map<string, WalkedManifest>();
  const bytesOf = new Map<string, Buffer>();

  await walkManifests([top], {
    async open(descriptor, depth) {
      const bytes = await read(descriptor);
      bytesOf.set(descriptor.digest, bytes);
      const document = parseChecked(descriptor, bytes);
      if (isIndex(descriptor, document)) {
        if (depth === MAX_DEPTH) throw malformed(descriptor, "image indexes are nested too deeply");
        const entries = descriptorList(descriptor, document.manifests, "manifests");
        return selectEntries(descriptor, entries, options.platforms, depth === 0);
      }
      if (document.config === undefined)
        throw malformed(descriptor, "it is neither an image index nor a manifest");
      const [config] = descriptorList(descriptor, [document.config], "config");
      for (const blob of [config!, ...descriptorList(descriptor, document.layers, "layers")]) {
        if (!blobs.has(blob.digest)) blobs.set(blob.digest, plainDescriptor(blob));
      }
      return [];
    },
    // Added after its children: the registry rejects a manifest whose children are missing (Distribution
    // spec, "Pushing Manifests"), so the list is in a safe push order.
    leave(descriptor) {
      manifests.set(descriptor.digest, {
        descriptor: plainDescriptor(descriptor),
        bytes: bytesOf.get(descriptor.digest)!,
      });
    },
  });
  return { top: plainDescriptor(top), blobs: [...blobs.values()], manifests: [...manifests.values()] };
}

/** The descriptor's digest, media type and size only: platform and annotations belong to the parent's entry. */
export function plainDescriptor(descriptor: Descriptor): Descriptor {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

function parseChecked(descriptor: Descriptor, bytes: Buffer): ManifestFields {
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
  return value as ManifestFields;
}

/** The descriptor's media type decides; a generic one (from a HEAD) falls back to the document's own. */
function isIndex(descriptor: Descriptor, document: ManifestFields): boolean {
  const kind = manifestKind(descriptor.mediaType);
  if (kind !== undefined) return kind === "index";
  if (typeof document.mediaType === "string" && manifestKind(document.mediaType) === "index") return true;
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
  const withPlatform = entries.filter((entry) => entry.platform !== undefined);
  const chosen = platforms.map((wanted) => selectPlatform(withPlatform, wanted, (e) => e.platform!));
  const followed = new Set(chosen.flat());
  const selected = entries.filter((entry) => !entry.platform || followed.has(entry));
  if (isTop) {
    const missing = platforms.filter((_, i) => chosen[i]!.length === 0);
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
