/**
 * The exact `go build` invocation for a service and platform. Pure: the same service, platform
 * and toolchain give the same argv and environment, which is what makes binaries reproducible
 * (see docs/determinism.md, "Go binaries").
 */
import type { Platform } from "../oci/index.js";

/** A Go service's settings that change its binary (a service's resolved config has all of them). */
export interface GoBuildSettings {
  /** CGO_ENABLED=1 when true. */
  readonly cgo: boolean;
  /**
   * How a cgo binary is linked: "static" (the default) links the C library in, so the binary starts
   * on any base; "dynamic" needs the base to have the C library and its loader. Without cgo, Go
   * links statically on its own and this is not read.
   */
  readonly link?: "static" | "dynamic";
  /** Keep symbols and DWARF (no `-s -w`). */
  readonly debug: boolean;
  readonly ldflags: readonly string[];
  readonly tags: readonly string[];
}

/**
 * What a static cgo binary needs: the external linker told to link statically, and the pure-Go
 * resolvers for names and users, since glibc's would look for shared libraries at run time.
 */
const STATIC_CGO = {
  ldflags: ["-linkmode=external", "-extldflags=-static"],
  tags: ["netgo", "osusergo"],
} as const;

/** True when the service is built with cgo and linked statically (the default for `cgo: true`). */
export function linksCgoStatically(service: GoBuildSettings): boolean {
  return service.cgo && service.link !== "dynamic";
}

/** Environment variables that change what the compiler produces; dray sets every one of them. */
export function goPlatformEnv(service: GoBuildSettings, platform: Platform): Record<string, string> {
  const env: Record<string, string> = {
    GOOS: platform.os,
    GOARCH: platform.architecture,
    CGO_ENABLED: service.cgo ? "1" : "0",
    // `auto` may download and switch toolchains behind our back; the version is part of the input key.
    GOTOOLCHAIN: "local",
  };
  // Micro-architecture levels are embedded in the binary: pin them to the platform, never the host default.
  if (platform.architecture === "amd64") env["GOAMD64"] = variantOr(platform, "v1");
  if (platform.architecture === "arm64") env["GOARM64"] = variantOr(platform, "v8.0");
  if (platform.architecture === "arm") env["GOARM"] = (platform.variant ?? "v7").replace(/^v/, "");
  if (platform.architecture === "386") env["GO386"] = "sse2";
  return env;
}

function variantOr(platform: Platform, fallback: string): string {
  return platform.variant && /^v\d/.test(platform.variant) ? platform.variant : fallback;
}

/** The build tags `go build` and `go list` are given, sorted: the service's, plus those a static cgo link needs. */
export function buildTags(service: GoBuildSettings): string[] {
  const extra = linksCgoStatically(service) ? STATIC_CGO.tags.filter((t) => !service.tags.includes(t)) : [];
  return [...service.tags, ...extra].sort();
}

/** `go build` arguments, without the package and output path. */
export function goBuildArgs(service: GoBuildSettings): string[] {
  const ldflags = [
    "-buildid=",
    ...(service.debug ? [] : ["-s", "-w"]),
    // Before the user's words, so that their own -extldflags wins (the linker keeps the last one).
    ...(linksCgoStatically(service) ? STATIC_CGO.ldflags : []),
    ...service.ldflags,
  ];
  const args = ["build", "-trimpath", "-buildvcs=false", `-ldflags=${ldflags.join(" ")}`];
  const tags = buildTags(service);
  if (tags.length > 0) args.push(`-tags=${tags.join(",")}`);
  return args;
}
