/** Opening a target by kind; each implementation (and the Kubernetes client) is imported only when used. */

import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import type { CommandWrapper, DeployTarget } from "./types.js";

export interface OpenTargetOptions {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  /** Dev mode's wrapper; only docker targets use it. */
  wrapper?: CommandWrapper;
  /** Leave a failed first version in place for inspection (kubernetes). */
  keepFailed?: boolean;
  /** Lines about the target itself (the server's warnings). */
  log?: (service: string, line: string) => void;
}

export async function openTarget(target: TargetConfig, options: OpenTargetOptions): Promise<DeployTarget> {
  const { config } = options;
  const where = config.locate(["targets", target.name]);
  const locateService = (service: string) => config.locate(["services", service, "deploy"]);
  switch (target.kind) {
    case "docker": {
      const { openDockerTarget } = await import("./docker/target.js");
      return openDockerTarget(target, {
        project: config.project,
        env: options.env,
        where,
        locateService,
        fromRegistry: config.registry !== undefined,
        ...(options.wrapper ? { wrapper: options.wrapper } : {}),
      });
    }
    case "swarm": {
      const { openSwarmTarget } = await import("./swarm/target.js");
      return openSwarmTarget(target, {
        project: config.project,
        env: options.env,
        where,
        locateService,
        registry: config.registry !== undefined,
        publishMode: target.publish,
      });
    }
    default: {
      const { openKubernetesTarget } = await import("./kubernetes/target.js");
      return openKubernetesTarget(target, config.project, {
        env: options.env,
        where,
        services: config.services.map((s) => s.name),
        ...(options.keepFailed ? { keepFailed: true } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
    }
  }
}
