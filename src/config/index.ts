/**
 * The config stage: dray.yaml in, a read-only ResolvedConfig out, every problem reported at once
 * with file:line:column. The JSON Schema for editors comes from the same zod schema.
 *
 * The YAML parser and the schema are heavy and a no-op run never needs them (the resolved config
 * is cached by the file's stat data), so the functions that need them load them on first call.
 */
import type { CheckConfigInput, CheckConfigResult } from "./check-config.js";

export type { CheckConfigInput, CheckConfigResult } from "./check-config.js";
export type { Exists, PathKind, RealPath } from "./check-paths.js";
export type { LocatedProblem } from "./problems.js";
export { CONFIG_FILE, findConfigFile, type LoadConfigOptions, loadConfig } from "./read-config.js";
export type { UserConfig } from "./schema.js";
export type * from "./types.js";

/** Validate and resolve dray.yaml text, collecting every problem (loads the parser and schema). */
export async function checkConfig(input: CheckConfigInput): Promise<CheckConfigResult> {
  const { checkConfig: check } = await import("./check-config.js");
  return check(input);
}

/** Checks a project name as dray.yaml's `project` key does (loads the schema). */
export async function checkProjectName(
  name: string,
): Promise<{ ok: true; name: string } | { ok: false; message: string | undefined }> {
  const { projectName } = await import("./schema-fields.js");
  const result = projectName.safeParse(name);
  return result.success
    ? { ok: true, name: result.data }
    : { ok: false, message: result.error.issues[0]?.message };
}

/** The JSON Schema of dray.yaml, for editors (loads the schema). */
export async function configJsonSchema(): Promise<object> {
  const { configJsonSchema: schema } = await import("./json-schema.js");
  return schema();
}
export { existsOnDisk, realPathOnDisk } from "./exists-on-disk.js";
export { STAMP_VARIABLES, stampEnvironment } from "./git-stamps.js";
export { isInside } from "./inside.js";
export { onTarget } from "./on-target.js";
export { DURATION_PATTERN } from "./patterns.js";
export { renderProblem } from "./problems.js";
export { durationMs } from "./resolve-deploy.js";
export { runtimeConfigFor } from "./runtime-config.js";
export { selectServices } from "./select-services.js";
export type { Stamps } from "./stamps.js";
export { type DependencyNode, formatCycle, type StartOrder, startOrder } from "./start-order.js";
export { statePaths } from "./state-paths.js";
export { closest } from "./suggest.js";
