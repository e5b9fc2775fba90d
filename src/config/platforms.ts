/**
 * The platforms dray can build for: what Go cross-compiles to without cgo and what OCI
 * indexes name (https://github.com/opencontainers/image-spec/blob/main/image-index.md).
 */
import type { Platform } from "../oci/types.js";

/**
 * Every platform a service may list, in the order the reference shows them. One spelling per
 * platform (no "linux/arm64/v8"), so two configs that mean the same image index also say it the same way.
 */
export const PLATFORMS = [
  "linux/amd64",
  "linux/arm64",
  "linux/arm/v7",
  "linux/arm/v6",
  "linux/386",
  "linux/ppc64le",
  "linux/s390x",
  "linux/riscv64",
] as const;

/** A platform as written in dray.yaml, e.g. "linux/arm/v7". */
export type PlatformName = (typeof PLATFORMS)[number];

/** Platforms used when neither the service nor the project lists any. */
export const DEFAULT_PLATFORMS: readonly PlatformName[] = ["linux/amd64"];

/** Turns "os/arch[/variant]" into the OCI platform object. */
export function parsePlatform(name: PlatformName): Platform {
  const [os, architecture, variant] = name.split("/") as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}
