/** The registry pieces a command needs, loaded only when it talks to the registry. */
import type { ResolvedConfig } from "../config/index.js";
import { openLayout } from "../oci/index.js";

/** The client for the project's registry, the layout it reads and pulls into, and the remote cache. */
export async function openRegistry(config: ResolvedConfig, layoutDir: string) {
  const { requireRegistry, clientFor, registryCache } = await import("../publish/index.js");
  const target = requireRegistry(config);
  const client = clientFor(target);
  const layout = await openLayout(layoutDir, { create: true });
  return {
    client,
    layout,
    registryCache: config.cache === "registry" ? registryCache({ config, client, layout }) : undefined,
  };
}
