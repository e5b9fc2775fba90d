/** The public face of src/verify: what other stages may use. */

export type { ImageMatch, PlatformMatch } from "./image-match.js";
export {
  describeVariations,
  type Variation,
  type VariationName,
  type VariationProbes,
} from "./variations.js";
export { type ClaimResult, type ImageVerification, verifyImage } from "./verify-image.js";
export { type VerifyConditions, type VerifyResult, verifyProject } from "./verify-project.js";
