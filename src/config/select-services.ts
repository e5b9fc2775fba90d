/** Choosing the services a command works on from the names the user typed. */

import { ExitCode, UserError } from "../errors/index.js";
import type { ResolvedConfig, ResolvedService } from "./types.js";

/** The services named (all when none), in config order; an unknown name is a usage error listing the known ones. */
export function selectServices(config: ResolvedConfig, names: readonly string[]): ResolvedService[] {
  if (names.length === 0) return [...config.services];
  const known = new Map(config.services.map((service) => [service.name, service]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UserError(`unknown service${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`, {
      exitCode: ExitCode.usage,
      hint: `${config.file} defines: ${[...known.keys()].join(", ")}`,
    });
  }
  return [...new Set(names)].map((name) => known.get(name)!);
}
