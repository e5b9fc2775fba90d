/** Where a project's images go in its registry, and one client per run to get them there. */

import type { RegistryTarget, ResolvedConfig } from "../config/index.js";
import { ExitCode, UserError } from "../errors/index.js";
import { repositoryIn } from "../oci/index.js";
import { type ClosableRegistryClient, createRegistryClient } from "../registry/index.js";

/** The project's registry, or a usage error saying how to configure one. */
export function requireRegistry(config: ResolvedConfig): RegistryTarget {
  if (config.registry) return config.registry;
  throw new UserError("no registry is configured to push to", {
    exitCode: ExitCode.usage,
    hint: `Add \`registry: HOST[:PORT]/NAMESPACE\` to ${config.locate([])}; images are pushed to <registry>/<service>.`,
  });
}

/** A client for the project's registry with its TLS settings. */
export function clientFor(target: RegistryTarget): ClosableRegistryClient {
  return createRegistryClient(target.registry, {
    insecure: target.insecure,
    ...(target.caFile ? { caFile: target.caFile } : {}),
  });
}

/** The repository a service's image is pushed to: "<namespace>/<service>". */
export function repositoryOf(target: RegistryTarget, service: string): string {
  return repositoryIn(target, service);
}
