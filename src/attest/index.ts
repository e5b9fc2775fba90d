/**
 * The attest stage: what an image is made of (an SBOM, SPDX 2.3 or CycloneDX 1.6), where it came
 * from (in-toto/SLSA provenance), and who vouches for it (signatures cosign verifies) — written
 * deterministically, kept in the layout or attached in the registry as OCI referrers.
 */
export type { AttachReport } from "./attach.js";
export { IN_TOTO_MEDIA_TYPE, SBOM_MEDIA_TYPE, type SbomFormat } from "./media-types.js";
export { requireSignedImages } from "./policy.js";
export {
  DRAY_BUILD_TYPE,
  type ProvenanceInput,
  provenanceStatement,
  SLSA_PROVENANCE_V1,
} from "./provenance.js";
export { type Attester, drayVersion, openAttester, serviceProvenance, serviceSboms } from "./run.js";
export type { StoredSbom } from "./sbom-store.js";
export { loadSigningKey, loadVerifyKey, PASSPHRASE_VARIABLE, type VerifyKey } from "./sign/keys.js";
export { readSourceFacts } from "./source.js";
export { checkSignatures, type SignatureCheck } from "./verify.js";
