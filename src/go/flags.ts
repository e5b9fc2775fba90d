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
  /** Keep symbols and DWARF (no `-s -w`). */
  readonly debug: boolean;
  readonly ldflags: readonly string[];
  readonly tags: readonly string[];
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

/** `go build` arguments, without the package and output path. */
export function goBuildArgs(service: GoBuildSettings): string[] {
  const ldflags = ["-buildid=", ...(service.debug ? [] : ["-s", "-w"]), ...service.ldflags];
  const args = ["build", "-trimpath", "-buildvcs=false", `-ldflags=${ldflags.join(" ")}`];
  if (service.tags.length > 0) args.push(`-tags=${[...service.tags].sort().join(",")}`);
  return args;
}
