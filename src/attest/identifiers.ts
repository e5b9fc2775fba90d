/**
 * Stable identifiers for SBOM documents: package URLs, SPDX element IDs and name-based UUIDs, all
 * derived from content, so that the same image always gets byte-identical documents. Pure.
 */
import { createHash } from "node:crypto";
import type { Digest } from "../oci/index.js";
import type { BaseImage } from "./sbom-model.js";

/** A package URL for a Go module (https://github.com/package-url/purl-spec, type "golang"). */
export function goPurl(modulePath: string, version?: string): string {
  const path = modulePath.split("/").map(encodeURIComponent).join("/");
  return version ? `pkg:golang/${path}@${encodeURIComponent(version)}` : `pkg:golang/${path}`;
}

/** The Go standard library of a toolchain: "go1.23.5" → pkg:golang/stdlib@1.23.5. */
export function stdlibPurl(toolchain: string): string {
  return `pkg:golang/stdlib@${encodeURIComponent(toolchain.replace(/^go/, ""))}`;
}

/** An OCI image by digest (purl type "oci"), with the platform or the repository it lives in. */
export function ociPurl(name: string, digest: Digest, qualifiers: Record<string, string> = {}): string {
  const query = Object.entries(qualifiers)
    .filter(([, v]) => v !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join("&");
  return `pkg:oci/${encodeURIComponent(name.toLowerCase())}@${encodeURIComponent(digest)}${query ? `?${query}` : ""}`;
}

/** The purl of a base image, or undefined for scratch. */
export function basePurl(base: BaseImage): string | undefined {
  if (base.kind === "scratch") return undefined;
  return ociPurl(
    base.name,
    base.digest,
    base.kind === "registry" ? { repository_url: base.repositoryUrl } : {},
  );
}

/** os=linux, arch=amd64 (and variant) from "linux/amd64[/v7]". */
export function platformQualifiers(platform: string): Record<string, string> {
  const [os = "", arch = "", variant = ""] = platform.split("/");
  return { os, arch, variant };
}

/**
 * An SPDX element ID ("SPDXRef-" then letters, digits, "." and "-") for `kind` and `name`: readable,
 * and unique because a short hash of the exact name follows the readable part.
 */
export function spdxId(kind: string, name: string): string {
  const readable = name
    .replace(/[^A-Za-z0-9.-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
  const hash = createHash("sha256").update(`${kind}\0${name}`).digest("hex").slice(0, 10);
  return `SPDXRef-${kind}-${readable ? `${readable}-` : ""}${hash}`;
}

/** Hex of the SHA-256 inside a go.sum "h1:" hash (base64), as SBOM checksums carry it. */
export function h1Hex(sum: string): string | undefined {
  const bytes = Buffer.from(sum.replace(/^h1:/, ""), "base64");
  return bytes.length === 32 ? bytes.toString("hex") : undefined;
}

/** dray's namespace for name-based UUIDs (RFC 9562 §5.5); any fixed UUID would do. */
const NAMESPACE = Buffer.from("6d7f4a1e2b3c4d5e8f9a0b1c2d3e4f50", "hex");

/** A version-5 (name-based) UUID of `name`: the same name, the same UUID, on every machine. */
export function nameUuid(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
