/**
 * Image references: `host[:port]/repository[:tag][@digest]`, following the grammar of
 * distribution's reference package (https://github.com/distribution/reference/blob/main/reference.go).
 * dray never assumes Docker Hub: the host is always written out.
 */
import { UserError } from "../errors/errors.js";
import { isDigest } from "../oci/digest.js";
import type { Digest } from "../oci/types.js";
import type { ImageRef } from "./types.js";

/** `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`: one path component of a repository name. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** A DNS label: letters, digits and inner hyphens. */
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** The grammar caps the whole name (host and path) at 255 characters. */
const MAX_NAME_LENGTH = 255;

/** Split and validate an image reference; a reference without an explicit registry host is a UserError. */
export function parseImageRef(text: string): ImageRef {
  const input = text.trim();
  if (input === "") throw new UserError("empty image reference");
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) {
      throw new UserError(`image reference "${input}" has a bad digest "${d}"`, {
        hint: "dray reads digests of the form sha256: followed by 64 lowercase hex digits",
      });
    }
    digest = d;
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash < 0 || !looksLikeHost(first)) {
    throw new UserError(`image reference "${input}" names no registry host`, {
      hint: `write the host in front, e.g. "ghcr.io/${rest}" or "127.0.0.1:5000/${rest}"; dray never assumes Docker Hub`,
    });
  }
  const registry = first;
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  // A colon after the last slash starts the tag; colons before it belong to the host's port.
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) {
      throw new UserError(`image reference "${input}" has a bad tag "${tag}"`, {
        hint: "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
      });
    }
  }
  assertRegistryHost(registry);
  assertRepository(path);
  if (registry.length + 1 + path.length > MAX_NAME_LENGTH) {
    throw new UserError(`image name "${registry}/${path}" is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository: path, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The text form of a reference: `host/repository[:tag][@digest]`. */
export function formatImageRef(ref: ImageRef): string {
  const tag = ref.tag !== undefined ? `:${ref.tag}` : "";
  const digest = ref.digest !== undefined ? `@${ref.digest}` : "";
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** Throws a UserError unless `name` is a valid repository path ("shop/api"). Keeps names safe to put in a URL path. */
export function assertRepository(name: string): void {
  const parts = name.split("/");
  const bad = parts.find((p) => !PATH_COMPONENT.test(p));
  if (name === "" || bad !== undefined) {
    throw new UserError(`"${name}" is not a valid repository name`, {
      hint: "use lowercase letters and digits, separated by '/', '.', '_', '__' or '-'",
    });
  }
}

/** Throws a UserError unless `reference` is a tag or a sha256 digest (what a manifest URL may end with). */
export function assertManifestReference(reference: string): void {
  if (isDigest(reference) || TAG.test(reference)) return;
  throw new UserError(`"${reference}" is neither a tag nor a sha256 digest`);
}

/** Throws a UserError unless `registry` is `host[:port]` (a DNS name, IPv4 address or bracketed IPv6). */
export function assertRegistryHost(registry: string): void {
  const { host, port } = splitHostPort(registry);
  const valid =
    (port === undefined || (/^[0-9]{1,5}$/.test(port) && Number(port) <= 65535)) &&
    (host.startsWith("[")
      ? /^\[[0-9a-fA-F:.]+\]$/.test(host)
      : host.split(".").every((label) => DOMAIN_COMPONENT.test(label)));
  if (!valid) throw new UserError(`"${registry}" is not a valid registry host (host[:port])`);
}

/** True when the first path segment of a reference is a host, per Docker's rule: it has "." or ":", or is "localhost". */
function looksLikeHost(segment: string): boolean {
  return segment.includes(".") || segment.includes(":") || segment === "localhost";
}

/** "[::1]:5000" → { host: "[::1]", port: "5000" }; "example.com" → { host: "example.com" }. */
export function splitHostPort(registry: string): { host: string; port?: string } {
  if (registry.startsWith("[")) {
    const end = registry.indexOf("]");
    const host = registry.slice(0, end + 1);
    const after = registry.slice(end + 1);
    return after.startsWith(":") ? { host, port: after.slice(1) } : { host: after === "" ? host : registry };
  }
  const colon = registry.lastIndexOf(":");
  return colon >= 0
    ? { host: registry.slice(0, colon), port: registry.slice(colon + 1) }
    : { host: registry };
}
