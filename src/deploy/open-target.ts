/** Opening a target by kind; each implementation (and the Kubernetes client) is imported only when used. */

import type { CacheEntry } from "../cache/index.js";
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import type { LayoutStore } from "../oci/index.js";
import type { CommandWrapper, DeployTarget } from "./types.js";

export interface OpenTargetOptions {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  /** The build's images; absent when the target is opened only to read it (`dray status`). */
  layout?: LayoutStore;
  entries?: ReadonlyMap<string, CacheEntry>;
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
        ...(options.layout ? { layout: options.layout } : {}),
        ...(options.entries ? { entries: options.entries } : {}),
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
