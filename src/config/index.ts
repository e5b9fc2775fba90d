/**
 * The config stage: dray.yaml in, a read-only ResolvedConfig out, every problem reported at once
 * with file:line:column. The JSON Schema for editors comes from the same zod schema.
 */
export type { CheckConfigInput, CheckConfigResult } from "./check-config.js";
export { checkConfig } from "./check-config.js";
export type { Exists, PathKind } from "./check-paths.js";
export { configJsonSchema, renderConfigJsonSchema, SCHEMA_ID } from "./json-schema.js";
export type { LocatedProblem } from "./problems.js";
export { CONFIG_FILE, findConfigFile, type LoadConfigOptions, loadConfig } from "./read-config.js";
export type { UserConfig } from "./schema.js";
export { configSchema } from "./schema.js";
export type * from "./types.js";
