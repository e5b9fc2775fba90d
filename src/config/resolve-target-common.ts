/**
 * The fields every kind of target may set, resolved: its project name, its own registry, and the
 * deploy settings of the services it overrides — each override laid over the service's own
 * `deploy:` as written (maps merged, anything else replaced) and resolved like it. Pure.
 */
import { mergeOver } from "./expand-targets.js";
import { resolveDeploy } from "./resolve-deploy.js";
import { resolveRegistryTarget } from "./resolve-registry.js";
import type { DeployConfig, TargetsConfig } from "./schema.js";
import type { DeploySettings, ImageSettings, TargetCommon } from "./types.js";

/** A service's `deploy:` as written and its resolved image settings, by name. */
export type ServiceDeploySource = (service: string) => {
  deploy: DeployConfig | undefined;
  image: ImageSettings;
};

type TargetWritten = TargetsConfig[string];

/** Only the fields that are written, so a target without them resolves exactly as before. */
export function targetCommon(
  target: TargetWritten,
  root: string,
  service: ServiceDeploySource,
): TargetCommon {
  const registry = resolveRegistryTarget(target.registry, root);
  const project = "project" in target ? target.project : undefined;
  const overrides = Object.entries(target.services ?? {});
  const services: Record<string, DeploySettings> = {};
  for (const [name, override] of overrides) {
    const { deploy, image } = service(name);
    services[name] = resolveDeploy(mergeOver(deploy ?? {}, override) as DeployConfig, image);
  }
  return {
    ...(project === undefined ? {} : { project }),
    ...(registry === undefined ? {} : { registry }),
    ...(overrides.length === 0 ? {} : { services }),
  };
}
