/**
 * Whether a running container of a service is healthy: the engine's healthcheck says so (for
 * `health.command`), and `health.http` answers — through the published port when it is
 * published, else at the container's address on the target's network.
 */
import type { DeploySettings, DockerTargetConfig } from "../../config/index.js";
import { httpProbe, type ProbeResult } from "../health.js";
import type { ContainerState } from "./containers.js";

export function serviceHealth(
  deploy: DeploySettings,
  target: DockerTargetConfig,
  requestTimeoutMs = 2000,
): (state: ContainerState) => Promise<ProbeResult> {
  const health = deploy.health;
  return async (state) => {
    if (health?.command && state.health !== "healthy")
      return { ok: false, reason: `healthcheck: ${state.health ?? "starting"}` };
    if (!health?.http) return { ok: true };
    const published = deploy.publish.find((p) => p.container === health.http!.port && p.protocol === "tcp");
    const host = published ? target.bind.replace("0.0.0.0", "127.0.0.1") : state.addresses[target.network];
    if (!host) return { ok: false, reason: `the container has no address on network ${target.network}` };
    const port = published ? published.host : health.http.port;
    return httpProbe(`http://${host}:${port}${health.http.path}`, requestTimeoutMs);
  };
}
