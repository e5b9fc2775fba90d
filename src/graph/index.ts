/** The public face of src/graph: what other stages may use. */
export { blastRadius, mainPackages, moduleRadius } from "./blast-radius.js";
export { renderGraphDot, renderGraphJson, renderGraphText } from "./render.js";
