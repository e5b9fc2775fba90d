/** The public face of src/verify: what other stages may use. */
export {
  describeVariations,
  type Variation,
  type VariationName,
  type VariationProbes,
} from "./variations.js";
export { type VerifyConditions, type VerifyResult, verifyProject } from "./verify-project.js";
