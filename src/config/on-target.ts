/** The project as one target sees it. Pure. */
import type { ResolvedConfig, TargetConfig } from "./types.js";

/**
 * `config` with the target's own registry and project name in place of the project's, when the
 * target sets them: what a deploy to it pushes to, pulls from and labels its services with.
 */
export function onTarget(config: ResolvedConfig, target: TargetConfig): ResolvedConfig {
  if (target.registry === undefined && target.project === undefined) return config;
  const registry = target.registry ?? config.registry;
  return Object.freeze({
    ...config,
    project: target.project ?? config.project,
    ...(registry === undefined ? {} : { registry }),
  });
}
