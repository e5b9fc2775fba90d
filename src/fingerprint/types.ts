/**
 * Input keys: everything that can change a service's image, and nothing else. A key is the
 * digest of the canonical JSON of its ingredients; the ingredients are kept beside each cached
 * build so that "why did this change?" is a diff of two plain values.
 */
import { COMPRESSOR_ID, type Digest } from "../oci/index.js";

/**
 * The image writer's format: bump the number when its output for the same inputs changes (tar layout,
 * config fields, how layers are stored…). It also names the compressor that makes a layer's pushed
 * (distribution) form, with its exact version and level: a new compressor changes pushed digests, and
 * so it changes every key rather than silently pushing other bytes under a key that was pushed before.
 * 3: a build stores its layers uncompressed and gzips them only to publish.
 */
export const PACKING_FORMAT_VERSION = `3 ${COMPRESSOR_ID}`;

/** What one service's image for one platform is a function of. Paths are relative to the project root, "/"-separated. */
export interface Ingredients {
  /** PACKING_FORMAT_VERSION when the key was made (a plain number before format 3). */
  format: number | string;
  platform: string;
  /** Settings that are not files: toolchain version, build flags, platform env, image config, base digest, command… Flat, dotted names. */
  settings: Record<string, string>;
  /** Every input file → sha256 hex of its content (and "x" suffix when executable matters). */
  files: Record<string, string>;
  /** Go packages of the project in the closure → digest of their files (for explanations and the graph). */
  packages: Record<string, string>;
  /** External Go modules in the closure → "version sum". */
  modules: Record<string, string>;
}

/** A service's key for one platform. */
export interface PlatformKey {
  platform: string;
  key: Digest;
  ingredients: Ingredients;
}

/** A service's keys for all its platforms; `key` combines them (the cache is looked up by it). */
export interface ServiceKey {
  service: string;
  key: Digest;
  platforms: PlatformKey[];
}

/** One thing that differs between two sets of ingredients. */
export type IngredientChange =
  | { kind: "file"; path: string; change: "added" | "removed" | "modified" }
  | { kind: "package"; importPath: string; change: "added" | "removed" | "modified" }
  | { kind: "module"; path: string; from: string | undefined; to: string | undefined }
  | { kind: "setting"; name: string; from: string | undefined; to: string | undefined };

/** A Go package in some service's closure. */
export interface GoPackageInfo {
  importPath: string;
  /** Directory relative to the project root ("/"-separated) for packages inside the project; undefined otherwise. */
  dir: string | undefined;
  /** Part of the Go standard library (covered by the toolchain version). */
  standard: boolean;
  /** Module path, for packages from a module other than the project's own. */
  module: string | undefined;
}

/** The package graph of the project's Go services for one platform. */
export interface GoGraph {
  packages: ReadonlyMap<string, GoPackageInfo>;
  /** Service name → import paths of every package its main package depends on, itself included. */
  closures: ReadonlyMap<string, readonly string[]>;
}
