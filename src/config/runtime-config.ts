/** What a service's dray.yaml settings put into its image config. Pure. */

import type { RuntimeConfig } from "../oci/index.js";
import type { ResolvedService } from "./types.js";

/** The runtime config of a service's image (merged over its base image's by the image writer). */
export function runtimeConfigFor(service: ResolvedService): RuntimeConfig {
  const settings = service.image;
  const config: RuntimeConfig = {};
  const entrypoint = settings.entrypoint ?? (service.kind === "go" ? [service.binaryPath] : undefined);
  if (entrypoint) config.Entrypoint = [...entrypoint];
  if (settings.args) config.Cmd = [...settings.args];
  const env = Object.entries(settings.env).map(([key, value]) => `${key}=${value}`);
  if (env.length > 0) config.Env = env;
  if (settings.ports.length > 0) {
    config.ExposedPorts = Object.fromEntries(settings.ports.map((port) => [port, {}]));
  }
  if (settings.user !== undefined) config.User = settings.user;
  if (settings.workdir !== undefined) config.WorkingDir = settings.workdir;
  const labels = { ...settings.labels };
  if (Object.keys(labels).length > 0) config.Labels = labels;
  return config;
}
