/** The ingredients of a command service's image on one platform. */

import type { CommandService } from "../config/index.js";
import type { Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import { projectRelative } from "./settings.js";
import { type Ingredients, PACKING_FORMAT_VERSION } from "./types.js";

/**
 * A command service is a function of its declared inputs, its command and its declared build
 * environment. dray cannot see what else the command reads (tool versions, the network); that is
 * what `inputs` and `buildEnv` are for, and `dray verify` catches a command that is not deterministic.
 */
export function commandIngredients(
  service: CommandService,
  platform: Platform,
  root: string,
  inputHashes: Readonly<Record<string, string>>,
  common: Record<string, string>,
): Ingredients {
  const settings: Record<string, string> = {
    ...common,
    "command.argv": JSON.stringify(service.command),
    "command.dir": projectRelative(root, service.context),
    "command.output": projectRelative(root, service.output),
    "command.to": service.to,
    "command.inputs": JSON.stringify(service.inputs),
  };
  for (const [name, value] of Object.entries(service.buildEnv)) settings[`command.env.${name}`] = value;
  return {
    format: PACKING_FORMAT_VERSION,
    platform: platformName(platform),
    settings,
    files: { ...inputHashes },
    packages: {},
    modules: {},
  };
}
