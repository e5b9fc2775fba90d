/**
 * The registry parts of dray.yaml: where images are pushed (`registry`), where the build cache
 * lives (`cache`), and the fields of a base image pulled from a registry.
 */
import * as z from "zod";
import {
  IMAGE_REFERENCE_PATTERN,
  isImageReference,
  parseRegistryPlace,
  REGISTRY_PLACE_PATTERN,
} from "../oci/index.js";
import { describeValue } from "./issue-messages.js";
import { imageReferenceProblem, registryUrlProblem } from "./reference-messages.js";
import { relativePath } from "./schema-fields.js";

/** What a custom message gets from zod: the value the user wrote. */
type Issue = { readonly input?: unknown };

const insecure = z
  .boolean()
  .optional()
  .describe(
    "Talk plain HTTP to this registry and do not verify its TLS certificate; default false. Loopback registries (127.0.0.1, localhost) may use HTTP without it.",
  );

const ca = relativePath("the project root")
  .optional()
  .describe("A PEM file of CA certificates to trust for this registry, relative to the project root.");

/** "127.0.0.1:5000/shop": a registry host, an optional port and an optional path; no scheme. */
export const registryUrl = z
  .string()
  .refine((text) => parseRegistryPlace(text) !== undefined, {
    error: (iss: Issue) => registryUrlProblem(iss.input),
  })
  // The pattern only tells editors the shape; the refinement above is what dray checks.
  .meta({ pattern: REGISTRY_PLACE_PATTERN.source })
  .describe(
    'A registry and the path images go below, without a scheme: "host[:port][/path]", e.g. "127.0.0.1:5000/shop" or "ghcr.io/org".',
  );

/** The registry every service's image is pushed to, as `<url>/<service>`. */
export const registry = z
  .union(
    [
      registryUrl,
      z
        .strictObject({ url: registryUrl, insecure, ca })
        .describe("A registry, with how to reach it: plain HTTP or an extra CA."),
    ],
    { error: (iss: Issue) => registryUrlProblem(iss.input) },
  )
  .describe(
    'Where images are pushed: each service to "<url>/<service>". A string "host[:port][/path]", or { url, insecure, ca }.',
  )
  .meta({ id: "registry" });

/** Where built images are remembered between builds. */
export const cache = z
  .enum(["local", "registry"], {
    error: (iss: Issue) =>
      `${describeValue(iss.input)} is not a cache — use "local" (the default) or "registry" (shared through the registry)`,
  })
  .describe(
    'Where the build cache lives: "local" (in .dray, the default) or "registry" (also in `registry`, so CI machines and colleagues share builds; needs `registry`).',
  );

/** A registry image reference with its registry host: "127.0.0.1:5000/base/static:1.0". */
export const imageReference = z
  .string()
  .refine(isImageReference, { error: (iss: Issue) => imageReferenceProblem(iss.input) })
  .meta({ pattern: IMAGE_REFERENCE_PATTERN.source })
  .describe(
    'An image in a registry: "host[:port]/repository[:tag][@sha256:…]", e.g. "127.0.0.1:5000/base/static:1.0". A tag is locked to a digest in dray.lock by `dray update-base`.',
  );

/** The long form of a registry base, for the settings a reference cannot carry. */
export const registryBase = z
  .strictObject({ image: imageReference, insecure, ca })
  .describe("An image in a registry, with how to reach the registry.");
