/**
 * What an SBOM says, before it is written as SPDX or CycloneDX: one value per document, built from
 * the cache entry's ingredients (the module closure with go.sum hashes, the toolchain, the base
 * digest, a command's declared inputs) and from the files read back out of the image. Pure.
 */
import type { CacheEntry } from "../cache/index.js";
import type { Descriptor, Digest } from "../oci/index.js";

/** Which of dray's layers a file is in. */
export type LayerRole = "files" | "binary" | "output";

/** A regular file dray put into the image. */
export interface ImageFile {
  /** Absolute path in the image. */
  path: string;
  sha1: string;
  sha256: string;
  size: number;
  role: LayerRole;
  layer: Digest;
}

/** A file the build read (a command service's declared input), project-relative. */
export interface InputFile {
  path: string;
  sha1: string;
  sha256: string;
}

/** A Go module compiled into the binary. */
export interface GoModule {
  path: string;
  version: string;
  /** go.sum's "h1:…" for it, when go.sum has one. */
  sum: string | undefined;
}

/** The base image: none, or one pinned by digest. */
export type BaseImage =
  | { kind: "scratch" }
  | { kind: "registry"; name: string; repositoryUrl: string; digest: Digest }
  | { kind: "layout"; name: string; digest: Digest };

/** One platform image. */
export interface SbomImage {
  platform: string;
  manifest: Descriptor;
  imageId: Digest;
  base: BaseImage;
  /** "go1.23.5" for Go services. */
  toolchain: string | undefined;
  /** The main module's path and the main package, for Go services. */
  main: { module: string; package: string } | undefined;
  modules: GoModule[];
  files: ImageFile[];
  inputs: InputFile[];
}

/** One SBOM document: a service's image (an index covers each of its platform images). */
export interface SbomDocument {
  service: string;
  /** The document's title: "api", or "api linux/amd64" for one platform of an index. */
  title: string;
  subject: Descriptor;
  /** True when the subject is an index over `images`. */
  isIndex: boolean;
  images: SbomImage[];
  /** RFC 3339, from sourceDateEpoch. */
  created: string;
  tool: { name: "dray"; version: string };
}

/** The per-platform facts the SBOM takes from I/O: the image's files and the inputs' checksums. */
export interface PlatformFacts {
  files: ImageFile[];
  inputs: InputFile[];
  /** The main module's path (Go services). */
  mainModule: string | undefined;
}

/** One platform's image as the SBOM describes it, from its cache-entry record and the facts read. */
export function sbomImage(platform: CacheEntry["platforms"][number], facts: PlatformFacts): SbomImage {
  const settings = platform.ingredients.settings;
  const modules = Object.entries(platform.ingredients.modules)
    .map(([path, value]): GoModule => {
      const [version = "", sum] = value.split(" ");
      return { path, version, sum: sum?.startsWith("h1:") ? sum : undefined };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const mainPackage = settings["go.main"];
  return {
    platform: platform.platform,
    manifest: platform.manifest,
    imageId: platform.imageId,
    base: baseOf(settings["base"] ?? "scratch"),
    toolchain: settings["go.toolchain"],
    main:
      mainPackage !== undefined
        ? { module: facts.mainModule ?? mainPackage, package: mainPackage }
        : undefined,
    modules,
    files: [...facts.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    inputs: [...facts.inputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

/** The base as the key's settings name it: "scratch", "registry:HOST/REPO@sha256:…", "oci:REF@sha256:…". */
export function baseOf(setting: string): BaseImage {
  const registry = /^registry:(.+)@(sha256:[0-9a-f]{64})$/.exec(setting);
  if (registry) {
    const repositoryUrl = registry[1]!;
    return {
      kind: "registry",
      name: repositoryUrl.split("/").pop()!,
      repositoryUrl,
      digest: registry[2] as Digest,
    };
  }
  const layout = /^oci:(.+)@(sha256:[0-9a-f]{64})$/.exec(setting);
  if (layout) return { kind: "layout", name: layout[1]!, digest: layout[2] as Digest };
  return { kind: "scratch" };
}

/** The `created` time of every document: sourceDateEpoch, never the clock. */
export function createdAt(sourceDateEpoch: number): string {
  return new Date(sourceDateEpoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
