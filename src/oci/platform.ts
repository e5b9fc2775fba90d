/**
 * Platforms: the ones dray builds for, their "os/arch[/variant]" names, their order in an index,
 * and which image serves which platform. The object is OCI's
 * (https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions).
 */
import { compareBytes } from "./canonical-json.js";
import type { Platform } from "./types.js";

/**
 * Every platform a service may list: what Go cross-compiles to without cgo, in the order the
 * reference shows them. One spelling per platform (no "linux/arm64/v8"), so two configs that mean
 * the same image index also say it the same way.
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

/** True when `name` is one of the platforms dray builds for. */
export function isPlatformName(name: string): name is PlatformName {
  return (PLATFORMS as readonly string[]).includes(name);
}

/** Turns "os/arch[/variant]" into the OCI platform object. */
export function parsePlatform(name: string): Platform {
  const [os, architecture, variant] = name.split("/") as [string, string, string | undefined];
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** "os/architecture[/variant]", as in `--platform` and dray.yaml. */
export function platformName(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/** Orders platforms by os, then architecture, then variant (absent first), bytewise. */
export function comparePlatforms(a: Platform, b: Platform): number {
  return (
    compareBytes(a.os, b.os) ||
    compareBytes(a.architecture, b.architecture) ||
    compareBytes(a.variant ?? "", b.variant ?? "")
  );
}

/**
 * One spelling for each platform, so that equal platforms compare equal: arm64 is arm64/v8, arm
 * without a variant is arm/v7 (what 32-bit ARM images and engines mean by it), amd64 is amd64/v1,
 * and "7" is "v7". containerd's platform matcher reads variants the same way.
 */
export function normalizePlatform(platform: Platform): Platform {
  const { os, architecture } = platform;
  let variant = platform.variant === "" ? undefined : platform.variant;
  if (variant !== undefined && /^\d/.test(variant)) variant = `v${variant}`;
  if (architecture === "arm64" && (variant === "v8" || variant === "v8.0")) variant = undefined;
  if (architecture === "amd64" && variant === "v1") variant = undefined;
  if (architecture === "arm" && variant === undefined) variant = "v7";
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** True when `a` and `b` are the same platform once normalized: what runs on one runs on the other. */
export function samePlatform(a: Platform | string, b: Platform | string): boolean {
  const x = normalizePlatform(typeof a === "string" ? parsePlatform(a) : a);
  const y = normalizePlatform(typeof b === "string" ? parsePlatform(b) : b);
  return x.os === y.os && x.architecture === y.architecture && x.variant === y.variant;
}

/**
 * The candidates for `wanted`: those of the same platform when there are any; otherwise, when
 * `wanted` names no variant, every candidate of its os and architecture (a request for "linux/amd64"
 * takes an index's only "linux/amd64/v3"). The caller decides what several candidates mean.
 */
export function selectPlatform<T>(
  candidates: readonly T[],
  wanted: Platform,
  platformOf: (candidate: T) => Platform,
): T[] {
  const same = candidates.filter((c) => samePlatform(platformOf(c), wanted));
  if (same.length > 0 || wanted.variant !== undefined) return same;
  return candidates.filter((c) => {
    const p = platformOf(c);
    return p.os === wanted.os && p.architecture === wanted.architecture;
  });
}
