/** The public face of src/verify: what other stages may use. */
export { verifyProject } from "./verify-project.js";
