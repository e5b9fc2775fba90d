/** Resolution of `targets:`: defaults applied, durations in milliseconds, paths absolute. Pure. */
import path from "node:path";
import { durationMs } from "./resolve-deploy.js";
import { type ServiceDeploySource, targetCommon } from "./resolve-target-common.js";
import type { TargetsConfig } from "./schema.js";
import type { TargetConfig } from "./types.js";

/**
 * The targets in file order; none written means one docker target "local" on the default engine.
 * `service` gives a service's `deploy:` as written and its image settings, for per-target overrides.
 */
export function resolveTargets(
  config: TargetsConfig | undefined,
  projectName: string,
  root: string,
  service: ServiceDeploySource,
): TargetConfig[] {
  const entries = Object.entries(config ?? {});
  if (entries.length === 0)
    return [{ name: "local", kind: "docker", host: undefined, network: projectName, bind: "127.0.0.1" }];
  return entries.map(([name, t]): TargetConfig => {
    const common = targetCommon(t, root, service);
    const project = common.project ?? projectName;
    switch (t.type) {
      case "docker":
        return {
          name,
          kind: "docker",
          ...common,
          host: t.host,
          network: t.network ?? project,
          bind: t.bind ?? "127.0.0.1",
        };
      case "swarm":
        return {
          name,
          kind: "swarm",
          ...common,
          host: t.host,
          network: t.network ?? project,
          update: {
            parallelism: t.update?.parallelism ?? 1,
            order: t.update?.order ?? "start-first",
            monitorMs: durationMs(t.update?.monitor ?? "5s"),
          },
          publish: t.publish ?? "ingress",
        };
      default:
        return {
          name,
          kind: "kubernetes",
          ...common,
          namespace: t.namespace ?? "default",
          context: t.context,
          kubeconfig: kubeconfigPath(t.kubeconfig, root),
          manifests: t.manifests === undefined ? undefined : path.resolve(root, t.manifests),
          progressDeadlineSeconds: Math.ceil(durationMs(t.progressDeadline ?? "120s") / 1000),
          createNamespace: t.createNamespace ?? true,
          podSecurity: t.podSecurity ?? "restricted",
        };
    }
  });
}

/**
 * A kubeconfig is the user's file, not project data, and is only read: an absolute path or one
 * under "~" is taken as written ("~" is expanded when the target opens), a relative one is
 * relative to the project root.
 */
function kubeconfigPath(written: string | undefined, root: string): string | undefined {
  if (written === undefined) return undefined;
  if (written === "~" || written.startsWith("~/") || path.isAbsolute(written)) return written;
  return path.resolve(root, written);
}
