/**
 * A service's base image as dray.yaml writes it: nothing (scratch), an image in a local OCI
 * image layout, or an image in a registry.
 */
import * as z from "zod";
import { describeValue } from "./issue-messages.js";
import { referenceMistake } from "./reference-messages.js";
import { LAYOUT_BASE_PATTERN, relativePath } from "./schema-fields.js";
import { imageReference, registryBase } from "./schema-registry.js";
import { closest } from "./suggest.js";

const forms =
  'use "scratch", a registry image "host[:port]/repository[:tag]", "oci:<layout-dir>:<ref>", { image: <reference> } or { layout: <dir>, ref: <name> }';

/**
 * One message for every way a base can be wrong: with several string forms, zod cannot tell
 * which one the user meant, so the message looks at the value itself — a pasted URL or a
 * reference without its registry gets told exactly that.
 */
function notABase(iss: { readonly input?: unknown }): string {
  const { input } = iss;
  if (typeof input === "string" && !input.startsWith("oci:")) {
    if (closest(input, ["scratch"]))
      return `${describeValue(input)} is not a base image — did you mean "scratch"?`;
    const mistake = referenceMistake(input);
    if (mistake) return mistake;
  }
  return `${describeValue(input)} is not a base image — ${forms}`;
}

/** Where the image starts from: nothing, an image in a local OCI image layout, or one in a registry. */
export const base = z
  .union(
    [
      z
        .literal("scratch", { error: notABase })
        .describe("An empty base: the image holds only what dray puts in it."),
      z
        .string()
        .regex(LAYOUT_BASE_PATTERN, { error: notABase })
        .describe(
          'An image in a local OCI image layout: "oci:<layout-dir>:<ref>", the directory relative to the project root, the ref its org.opencontainers.image.ref.name.',
        ),
      imageReference,
      z
        .strictObject({
          layout: relativePath("the project root").describe(
            "Directory of an OCI image layout, relative to the project root.",
          ),
          ref: z.string().min(1).describe("The image's org.opencontainers.image.ref.name in that layout."),
        })
        .describe("An image in a local OCI image layout."),
      registryBase,
    ],
    { error: notABase },
  )
  .describe(
    'The base image: "scratch" (the default), a registry image "host[:port]/repository[:tag][@digest]" or { image, insecure, ca }, or a local OCI layout "oci:<layout-dir>:<ref>" or { layout, ref }.',
  )
  .meta({ id: "base" });
