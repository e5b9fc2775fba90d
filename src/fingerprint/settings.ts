/** The non-file ingredients every service has: image config, base image, time stamp, file mappings. */
import path from "node:path";
import type { ResolvedService } from "../config/index.js";
import { runtimeConfigFor } from "../config/index.js";
import { canonicalJson } from "../oci/index.js";

/** Flat settings shared by Go and command services. `baseDigest` is the base manifest's digest, or "scratch". */
export function commonSettings(
  service: ResolvedService,
  root: string,
  baseDigest: string,
  sourceDateEpoch: number,
): Record<string, string> {
  const settings: Record<string, string> = {
    "image.config": canonicalJson(runtimeConfigFor(service)),
    base: baseDigest,
    sourceDateEpoch: String(sourceDateEpoch),
  };
  // Only when set, so that the keys of services without annotations stay what they were.
  if (Object.keys(service.annotations).length > 0)
    settings["image.annotations"] = canonicalJson(service.annotations);
  service.files.forEach((mapping, i) => {
    settings[`files.${i}`] = `${projectRelative(root, mapping.from)} -> ${mapping.to}`;
  });
  return settings;
}

/** Project-relative, "/"-separated. */
export function projectRelative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join("/") || ".";
}
