/**
 * What dray.yaml is told about a registry image reference ("127.0.0.1:5000/base/static:1.0@sha256:…")
 * or a registry place ("ghcr.io/org") that is not one. The grammar itself is src/oci/reference.ts.
 */
import { lacksRegistryHost } from "../oci/index.js";
import { describeValue } from "./issue-messages.js";

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

/** The message for the two mistakes with a fix to suggest: a URL scheme, a missing registry host. */
export function referenceMistake(text: string): string | undefined {
  const scheme = schemeOf(text);
  if (scheme) return withoutScheme(text, scheme);
  if (!lacksRegistryHost(text)) return undefined;
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
