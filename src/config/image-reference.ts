/**
 * Registry image references ("127.0.0.1:5000/base/static:1.0@sha256:…") and registry places
 * ("ghcr.io/org"), as dray.yaml writes them. The grammar is the Distribution project's
 * (https://github.com/distribution/reference/blob/main/reference.go) with two narrowings: the
 * registry host is required (no silent Docker Hub default), and digests are sha256, the only
 * algorithm dray reads.
 */
import type { Digest } from "../oci/types.js";
import { describeValue } from "./issue-messages.js";

const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const port = "(?::[0-9]+)?";
/**
 * A host is a host because it has a "." or a ":port", or is localhost, or is an IPv6 literal:
 * Docker's rule for telling "ghcr.io/x" (a registry) from "library/x" (a path on Docker Hub).
 */
const host =
  `(?:localhost${port}` +
  `|${domainComponent}(?:\\.${domainComponent})+${port}` +
  `|${domainComponent}:[0-9]+` +
  `|\\[[0-9a-fA-F:.]+\\]${port})`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPath = `${pathComponent}(?:/${pathComponent})*`;
const tag = "[\\w][\\w.-]{0,127}";
const digest = "sha256:[0-9a-f]{64}";

/** `host[:port]/repository[:tag][@sha256:…]`, with the parts captured in that order. */
export const IMAGE_REFERENCE_PATTERN = new RegExp(
  `^(${host})/(${repositoryPath})(?::(${tag}))?(?:@(${digest}))?$`,
);

/** `host[:port][/path]`: where a project's images are pushed. */
export const REGISTRY_URL_PATTERN = new RegExp(`^(${host})(?:/(${repositoryPath}))?$`);

/** A path component of a repository: what a service's name must be to name a repository. */
export const REPOSITORY_COMPONENT_PATTERN = new RegExp(`^${pathComponent}$`);

/** An image reference, split. Structurally a `registry/types.ts` ImageRef. */
export interface ImageReference {
  /** "127.0.0.1:5000", "ghcr.io". */
  registry: string;
  /** "base/static". */
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** A registry place, split: the host and the path below it ("" when none). */
export interface RegistryPlace {
  registry: string;
  namespace: string;
}

/** Splits a reference, or gives undefined when it is not one. */
export function parseImageReference(text: string): ImageReference | undefined {
  const match = IMAGE_REFERENCE_PATTERN.exec(text);
  if (!match) return undefined;
  const [, registry, repository, tagPart, digestPart] = match;
  const ref: ImageReference = { registry: registry!, repository: repository! };
  if (tagPart !== undefined) ref.tag = tagPart;
  if (digestPart !== undefined) ref.digest = digestPart as Digest;
  return ref;
}

/** Splits a registry place ("127.0.0.1:5000/shop"), or gives undefined when it is not one. */
export function parseRegistryUrl(text: string): RegistryPlace | undefined {
  const match = REGISTRY_URL_PATTERN.exec(text);
  if (!match) return undefined;
  return { registry: match[1]!, namespace: match[2] ?? "" };
}

/** The repository a service's image is pushed to: `<namespace>/<service>`. */
export function serviceRepository(place: RegistryPlace, service: string): string {
  return place.namespace === "" ? service : `${place.namespace}/${service}`;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;

/** "https://" when `text` starts with a URL scheme; users paste registry addresses from browsers. */
function schemeOf(text: string): string | undefined {
  return SCHEME.exec(text)?.[0];
}

/** "…: write it without "https://": "ghcr.io/org"", plus how to get plain HTTP when that was meant. */
function withoutScheme(text: string, scheme: string): string {
  const rest = text.slice(scheme.length).replace(/\/+$/, "");
  const http = scheme.toLowerCase() === "http://" ? " (and add insecure: true for plain HTTP)" : "";
  return `${describeValue(text)} has a scheme — write it without ${JSON.stringify(scheme)}: ${JSON.stringify(rest)}${http}`;
}

const HOSTLESS_REFERENCE = new RegExp(`^${repositoryPath}(?::${tag})?(?:@${digest})?$`);
const HOST = new RegExp(`^${host}$`);

/** True for "alpine:3.20" or "library/alpine": a reference whose first component is no host. */
function lacksHost(text: string): boolean {
  return HOSTLESS_REFERENCE.test(text) && !HOST.test(text.split("/")[0] ?? "");
}

/** The message for the two mistakes with a fix to suggest: a URL scheme, a missing registry host. */
export function referenceMistake(text: string): string | undefined {
  const scheme = schemeOf(text);
  if (scheme) return withoutScheme(text, scheme);
  if (!lacksHost(text)) return undefined;
  const example = text.includes("/") ? `docker.io/${text}` : `docker.io/library/${text}`;
  return `${describeValue(text)} names no registry — write the registry's host first, e.g. ${JSON.stringify(example)}`;
}

/** What is wrong with an image reference, for a message. */
export function imageReferenceProblem(value: unknown): string {
  const mistake = typeof value === "string" ? referenceMistake(value) : undefined;
  return (
    mistake ??
    `${describeValue(value)} is not an image reference — write "host[:port]/repository[:tag][@sha256:…]", e.g. "127.0.0.1:5000/base/static:1.0" (repositories are lowercase)`
  );
}

/** What is wrong with a registry place, for a message. */
export function registryUrlProblem(value: unknown): string {
  const scheme = typeof value === "string" ? schemeOf(value) : undefined;
  if (typeof value === "string" && scheme) return withoutScheme(value, scheme);
  return `${describeValue(value)} is not a registry — write "host[:port][/path]", e.g. "127.0.0.1:5000/shop" or "ghcr.io/org" (a host has a "." or a ":port", or is localhost; paths are lowercase)`;
}
