/**
 * The supply-chain keys of dray.yaml: the SBOM format pushed with every image (`sbom`), the key
 * every pushed image is signed with (`sign`), and a target's deploy policy (`require`).
 */
import * as z from "zod";
import { describeValue } from "./issue-messages.js";
import { relativePath } from "./schema-fields.js";

type Issue = { readonly input?: unknown };

/** `sbom:` at the top. */
export const sbom = z
  .union([z.enum(["spdx", "cyclonedx"]), z.literal(false)], {
    error: (iss: Issue) =>
      `${describeValue(iss.input)} is not an SBOM format — use "spdx" (the default), "cyclonedx", or false to push no SBOM or provenance`,
  })
  .describe(
    'The SBOM format `dray push` attaches to every image, with its provenance: "spdx" (SPDX 2.3 JSON, the default) or "cyclonedx" (CycloneDX 1.6 JSON); false attaches neither.',
  );

/** `sign:` at the top. */
export const sign = z
  .strictObject({
    key: z
      .string()
      .min(1, { error: "must not be empty" })
      .regex(/^[^\0]*$/, { error: "holds a NUL character, which no path can" })
      .describe(
        "A PEM private key (ECDSA P-256 or Ed25519, or cosign's encrypted key with DRAY_SIGN_PASSWORD), relative to the project root or absolute. Keep it out of the repository.",
      ),
  })
  .describe("Sign every pushed image, its SBOM and its provenance, in the format cosign verifies.");

/** `require:` under a target. */
export const targetPolicy = z
  .strictObject({
    signed: relativePath("the project root").describe(
      "A PEM public key (cosign.pub): dray deploy refuses an image whose signature does not verify with it.",
    ),
  })
  .describe("What an image must satisfy before dray deploys it to this target.");
