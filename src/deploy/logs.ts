/**
 * `dray logs`: a target from dray.yaml opened for reading logs, by kind; each reader (and the
 * Kubernetes client) is imported only when used.
 */
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import { createEngineClient, engineAddress } from "../engine/index.js";
import type { LogReader } from "./log-source.js";

/** Opens `target` of `config` for reading its services' logs. */
export async function openLogReader(
  config: ResolvedConfig,
  target: TargetConfig,
  env: NodeJS.ProcessEnv,
): Promise<LogReader> {
  const where = config.locate(["targets", target.name]);
  if (target.kind === "kubernetes") {
    const [{ createKubeApi }, { kubernetesServiceLog }] = await Promise.all([
      import("./kubernetes/kube-api.js"),
      import("./kubernetes/log-stream.js"),
    ]);
    const api = await createKubeApi(target, { env, where });
    return {
      open: (service, request) => kubernetesServiceLog(api, target.namespace, service, request),
      close() {},
    };
  }
  const engine = createEngineClient(engineAddress(target.host, env, where));
  const { project } = config;
  if (target.kind === "swarm") {
    const { swarmServiceLog } = await import("./swarm/logs.js");
    return {
      open: (service, request) => swarmServiceLog(engine, project, service, request),
      close: () => engine.close(),
    };
  }
  const { dockerServiceLog } = await import("./docker/logs.js");
  return {
    open: (service, request) => dockerServiceLog(engine, project, service, request),
    close: () => engine.close(),
  };
}
