/**
 * Image references, `host[:port]/repository[:tag][@sha256:…]`, and registry places,
 * `host[:port][/path]`: one grammar for dray.yaml, dray.lock, the registry client, publishing and
 * deploying. It is distribution's (https://github.com/distribution/reference/blob/main/reference.go)
 * with two narrowings: the registry host is always written (dray never assumes Docker Hub), and
 * sha256 is the only digest algorithm dray reads.
 */
import { UserError } from "../errors/index.js";
import { DIGEST_GRAMMAR, isDigest } from "./digest.js";
import type { Digest } from "./types.js";

/** An image reference, split. */
export interface ImageReference {
  /** "127.0.0.1:5000", "ghcr.io". */
  registry: string;
  /** "shop/api". */
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** A registry place, split: the host and the path below it ("" when none). */
export interface RegistryPlace {
  registry: string;
  namespace: string;
}

const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const port = "(?::[0-9]+)?";
/**
 * A host has a "." or a ":port", or is localhost, or is an IPv6 literal: Docker's rule for telling
 * "ghcr.io/x" (a registry) from "library/x" (a path on Docker Hub).
 */
const host =
  `(?:localhost${port}` +
  `|${domainComponent}(?:\\.${domainComponent})+${port}` +
  `|${domainComponent}:[0-9]+` +
  `|\\[[0-9a-fA-F:.]+\\]${port})`;
/** `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`: one path component of a repository name. */
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPath = `${pathComponent}(?:/${pathComponent})*`;
/** Up to 128 letters, digits, "_", "." and "-", not starting with "." or "-". */
const tag = "[\\w][\\w.-]{0,127}";

/**
 * `host[:port]/repository[:tag][@sha256:…]` as one pattern, for the JSON Schema editors read; it
 * cannot say that a port ends at 65535 or that a name has at most 255 characters, so code checks
 * references with isImageReference or parseReference.
 */
export const IMAGE_REFERENCE_PATTERN = new RegExp(
  `^(${host})/(${repositoryPath})(?::(${tag}))?(?:@(${DIGEST_GRAMMAR}))?$`,
);

/** `host[:port][/path]` as one pattern, for the JSON Schema; code uses parseRegistryPlace. */
export const REGISTRY_PLACE_PATTERN = new RegExp(`^(${host})(?:/(${repositoryPath}))?$`);

const HOST = new RegExp(`^${host}$`);
const REPOSITORY = new RegExp(`^${repositoryPath}$`);
const PATH_COMPONENT = new RegExp(`^${pathComponent}$`);
const TAG = new RegExp(`^${tag}$`);
/** The grammar caps the whole name (host and path) at 255 characters. */
const MAX_NAME_LENGTH = 255;

/** What is wrong with a reference, before it becomes a UserError. */
interface Fault {
  message: string;
  hint?: string;
}

/** True for a registry host: `host[:port]` that reads as a host (see above), with a port up to 65535. */
export function isRegistryHost(text: string): boolean {
  if (!HOST.test(text)) return false;
  const { port: digits } = splitHostPort(text);
  return digits === undefined || (digits.length <= 5 && Number(digits) <= 65535);
}

/** True for a repository path such as "shop/api". */
export function isRepository(name: string): boolean {
  return REPOSITORY.test(name);
}

/** True for one component of a repository path: what a service's name must be to name a repository. */
export function isRepositoryComponent(name: string): boolean {
  return PATH_COMPONENT.test(name);
}

/** True for a tag such as "1.0" or "latest". */
export function isTag(text: string): boolean {
  return TAG.test(text);
}

/** True when `value` is a complete image reference with its registry host. */
export function isImageReference(value: unknown): value is string {
  return typeof value === "string" && !("message" in splitReference(value));
}

/** Splits and checks an image reference; anything wrong is a UserError that says what. */
export function parseReference(text: string): ImageReference {
  const result = splitReference(text);
  if ("message" in result) throw faultError(result);
  return result;
}

/** The text form of a reference: `host/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  const tagPart = ref.tag !== undefined ? `:${ref.tag}` : "";
  const digestPart = ref.digest !== undefined ? `@${ref.digest}` : "";
  return `${ref.registry}/${ref.repository}${tagPart}${digestPart}`;
}

/** Splits a registry place ("127.0.0.1:5000/shop"), or gives undefined when it is not one. */
export function parseRegistryPlace(text: string): RegistryPlace | undefined {
  const slash = text.indexOf("/");
  const registry = slash < 0 ? text : text.slice(0, slash);
  const namespace = slash < 0 ? "" : text.slice(slash + 1);
  if (!isRegistryHost(registry) || (slash >= 0 && !isRepository(namespace))) return undefined;
  return { registry, namespace };
}

/** The repository `name` gets below a registry place: `<namespace>/<name>`. */
export function repositoryIn(place: RegistryPlace, name: string): string {
  return place.namespace === "" ? name : `${place.namespace}/${name}`;
}

/** True for "alpine:3.20" or "library/alpine": a reference that would be whole with a registry host in front. */
export function lacksRegistryHost(text: string): boolean {
  if (isRegistryHost(text.split("/")[0] ?? "")) return false;
  const withoutDigest = takeDigest(text);
  if ("message" in withoutDigest) return false;
  const name = takeTag(text, withoutDigest.rest);
  return !("message" in name) && isRepository(name.repository);
}

/** Throws a UserError unless `registry` is a registry host. */
export function assertRegistryHost(registry: string): void {
  if (!isRegistryHost(registry)) throw faultError(hostFault(registry));
}

/** Throws a UserError unless `name` is a valid repository path ("shop/api"). Keeps names safe to put in a URL path. */
export function assertRepository(name: string): void {
  if (!isRepository(name)) throw faultError(repositoryFault(name));
}

/** Throws a UserError unless `reference` is a tag or a sha256 digest (what a manifest URL may end with). */
export function assertManifestReference(reference: string): void {
  if (isDigest(reference) || isTag(reference)) return;
  throw new UserError(`"${reference}" is neither a tag nor a sha256 digest`);
}

/** "[::1]:5000" → { host: "[::1]", port: "5000" }; "example.com" → { host: "example.com" }. */
export function splitHostPort(registry: string): { host: string; port?: string } {
  if (registry.startsWith("[")) {
    const end = registry.indexOf("]");
    const ipv6 = registry.slice(0, end + 1);
    const after = registry.slice(end + 1);
    return after.startsWith(":")
      ? { host: ipv6, port: after.slice(1) }
      : { host: after === "" ? ipv6 : registry };
  }
  const colon = registry.lastIndexOf(":");
  return colon >= 0
    ? { host: registry.slice(0, colon), port: registry.slice(colon + 1) }
    : { host: registry };
}

/**
 * The parts of `text`, or the first thing wrong with it. The order of the checks decides the message:
 * whether the first component is meant as a host is Docker's rule ("." or ":" or localhost), so
 * "my_host.io/a" is a bad host while "shop/api" names none.
 */
function splitReference(text: string): ImageReference | Fault {
  if (text.trim() === "") return { message: "empty image reference" };
  const withoutDigest = takeDigest(text);
  if ("message" in withoutDigest) return withoutDigest;
  const { rest, digest } = withoutDigest;
  const slash = rest.indexOf("/");
  const registry = slash >= 0 ? rest.slice(0, slash) : "";
  if (slash < 0 || !readsAsHost(registry)) {
    return {
      message: `image reference "${text}" names no registry host`,
      hint: `write the host in front, e.g. "ghcr.io/${rest}" or "127.0.0.1:5000/${rest}"; dray never assumes Docker Hub`,
    };
  }
  const name = takeTag(text, rest.slice(slash + 1));
  if ("message" in name) return name;
  if (!isRegistryHost(registry)) return hostFault(registry);
  if (!isRepository(name.repository)) return repositoryFault(name.repository);
  if (registry.length + 1 + name.repository.length > MAX_NAME_LENGTH) {
    return {
      message: `image name "${registry}/${name.repository}" is longer than ${MAX_NAME_LENGTH} characters`,
    };
  }
  return {
    registry,
    repository: name.repository,
    ...(name.tag !== undefined ? { tag: name.tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Splits off "@sha256:…"; what follows the first "@" must be a digest. */
function takeDigest(text: string): { rest: string; digest?: Digest } | Fault {
  const at = text.indexOf("@");
  if (at < 0) return { rest: text };
  const digest = text.slice(at + 1);
  if (!isDigest(digest)) {
    return {
      message: `image reference "${text}" has a bad digest "${digest}"`,
      hint: "dray reads digests of the form sha256: followed by 64 lowercase hex digits",
    };
  }
  return { rest: text.slice(0, at), digest };
}

/** Splits "repository[:tag]": a colon after the last slash starts the tag (the host's port is already gone). */
function takeTag(text: string, path: string): { repository: string; tag?: string } | Fault {
  const colon = path.lastIndexOf(":");
  if (colon < 0) return { repository: path };
  const tagPart = path.slice(colon + 1);
  if (!isTag(tagPart)) {
    return {
      message: `image reference "${text}" has a bad tag "${tagPart}"`,
      hint: "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'",
    };
  }
  return { repository: path.slice(0, colon), tag: tagPart };
}

/** Docker's rule: a first component with "." or ":", localhost or an IPv6 literal is meant as a host. */
function readsAsHost(component: string): boolean {
  return (
    component.includes(".") ||
    component.includes(":") ||
    component === "localhost" ||
    component.startsWith("[")
  );
}

function hostFault(registry: string): Fault {
  return { message: `"${registry}" is not a valid registry host (host[:port])` };
}

function repositoryFault(name: string): Fault {
  return {
    message: `"${name}" is not a valid repository name`,
    hint: "use lowercase letters and digits, separated by '/', '.', '_', '__' or '-'",
  };
}

function faultError(fault: Fault): UserError {
  return new UserError(fault.message, fault.hint === undefined ? {} : { hint: fault.hint });
}
