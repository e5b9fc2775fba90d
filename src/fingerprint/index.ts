/** The public face of src/fingerprint: what other stages may use. */
export { describeChange, diffIngredients, summarizeChanges } from "./diff.js";
export type { FileHasher } from "./file-hasher.js";
export { createFileHasher } from "./file-hasher.js";
export { loadGoGraph } from "./go-graph.js";
export { platformKeyOf, serviceKeyOf } from "./input-keys.js";
export { listMappedFiles, type MappedSource } from "./mapped-files.js";
export { computeServiceKeys } from "./service-keys.js";
export type { GoGraph, GoPackageInfo, IngredientChange, Ingredients, ServiceKey } from "./types.js";
