/** The formats an SBOM is written in, and the media types and predicates that name them. */

/** `sbom:` in dray.yaml: SPDX 2.3 JSON (the default) or CycloneDX 1.6 JSON. */
export type SbomFormat = "spdx" | "cyclonedx";

/** The media type of an SBOM document, also the artifactType of its referrer. */
export const SBOM_MEDIA_TYPE: Record<SbomFormat, string> = {
  spdx: "application/spdx+json",
  cyclonedx: "application/vnd.cyclonedx+json",
};

/** The in-toto predicate type of an SBOM attestation (cosign's `--type spdxjson` / `cyclonedx`). */
export const SBOM_PREDICATE: Record<SbomFormat, string> = {
  spdx: "https://spdx.dev/Document",
  cyclonedx: "https://cyclonedx.org/bom",
};

/** The artifactType and media type of an unsigned provenance statement. */
export const IN_TOTO_MEDIA_TYPE = "application/vnd.in-toto+json";
