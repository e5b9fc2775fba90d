/**
 * Walking what a manifest or an image index reaches: index → manifests (→ nested indexes) → config
 * and layers. Registry push and pull, the layout's garbage collection and image resolution all walk
 * with walkManifests; what each reads, which entries of an index it follows and how strict it is
 * belong to its visitor. https://github.com/opencontainers/image-spec/blob/main/image-index.md and
 * manifest.md; Docker's schema 2 has the same shapes under other media types.
 */
import { type Descriptor, MediaType } from "./types.js";

/** What a manifest-like document is: an index of manifests, or one image's manifest. */
export type ManifestKind = "index" | "manifest";

/**
 * Every manifest and index media type dray reads, OCI and Docker schema 2, in the order a
 * registry's Accept header lists them.
 */
export const MANIFEST_MEDIA_TYPES: Readonly<Record<string, ManifestKind>> = {
  [MediaType.index]: "index",
  [MediaType.manifest]: "manifest",
  [MediaType.dockerManifestList]: "index",
  [MediaType.dockerManifest]: "manifest",
};

/** "index" or "manifest" for a media type of either, undefined for anything else (configs, layers). */
export function manifestKind(mediaType: string): ManifestKind | undefined {
  return Object.hasOwn(MANIFEST_MEDIA_TYPES, mediaType) ? MANIFEST_MEDIA_TYPES[mediaType] : undefined;
}

/** The fields of a manifest or index that a walk reads, as parsed and not yet checked. */
export interface ManifestFields {
  mediaType?: unknown;
  manifests?: unknown;
  config?: unknown;
  layers?: unknown;
}

/** What one walker does at each manifest or index; the walk itself only orders and deduplicates. */
export interface ManifestVisitor {
  /**
   * Reads `descriptor`, met at `depth` (0 for a root), and gives the descriptors to walk from it next
   * (an index's entries; none for a manifest, whose config and layers the visitor records itself),
   * or undefined when there is nothing to open (absent, or not a manifest).
   */
  open(descriptor: Descriptor, depth: number): Promise<readonly Descriptor[] | undefined>;
  /** Called once everything `descriptor` leads to has been walked, so children come before parents. */
  leave?(descriptor: Descriptor): void;
}

/**
 * Walks from `roots` depth first, in order, opening each digest once. Content addressing makes a
 * cycle impossible (a document cannot name its own digest), so the walk ends; visitors that read
 * untrusted documents still bound the depth, to bound the work.
 */
export async function walkManifests(roots: readonly Descriptor[], visitor: ManifestVisitor): Promise<void> {
  const seen = new Set<string>();
  async function visit(descriptor: Descriptor, depth: number): Promise<void> {
    if (seen.has(descriptor.digest)) return;
    seen.add(descriptor.digest);
    const next = await visitor.open(descriptor, depth);
    if (next === undefined) return;
    for (const child of next) await visit(child, depth + 1);
    visitor.leave?.(descriptor);
  }
  for (const root of roots) await visit(root, 0);
}

/** What a manifest or index names: an index's entries, a manifest's config and layers. Unchecked. */
export function namedIn(document: ManifestFields): unknown[] {
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  return [...list(document.manifests), document.config, ...list(document.layers)];
}
