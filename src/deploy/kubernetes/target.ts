/**
 * The kubernetes deploy target: Deployments and Services applied server-side, live state read
 * from the Deployments' annotations (and drift from their managed fields), a failed rollout
 * answered by re-applying the previous spec. Before the first write the namespace and the
 * permissions are checked (write-guard.ts); the target's lock is a Lease (kube-lease.ts).
 */
import type { KubernetesTargetConfig } from "../../config/index.js";
import { UserError } from "../../errors/index.js";
import type { TargetLock } from "../target-lock.js";
import type { ApplyContext, DeployAction, DeployTarget, DesiredService, LiveService } from "../types.js";
import { applyService, type RolloutSettings } from "./apply-service.js";
import { createKubeApi, type KubeApiOptions } from "./kube-api.js";
import { leaseLock } from "./kube-lease.js";
import { liveServices } from "./live.js";
import { createObjectClient, type ObjectClient } from "./object-client.js";
import { KUBE_KEYS, type KubeObject, type LiveDeployment } from "./objects.js";
import { type ManifestObject, readManifests } from "./read-manifests.js";
import { objectsForTarget, type TargetObjects } from "./render-for-target.js";
import { sortObjects } from "./render-manifests.js";
import { withVersion } from "./version-annotations.js";
import { onceEach } from "./warnings.js";
import { createWriteGuard } from "./write-guard.js";

/** Tuning and context for openKubernetesTarget; all optional. */
export interface KubernetesTargetOptions extends Omit<KubeApiOptions, "onWarning"> {
  /**
   * Every service named in dray.yaml. In user manifests mode `dray://x` may name a service this
   * run leaves alone; without the list, only the services being deployed are known.
   */
  readonly services?: readonly string[];
  /** First pause between rollout polls (default 500 ms); doubles up to maxPollIntervalMs (default 5 s). */
  readonly pollIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /** Log lines of a failing pod to show (default 20). */
  readonly logLines?: number;
  /** Leave a failed first version in place for inspection instead of removing it. */
  readonly keepFailed?: boolean;
  /** Lines about the target rather than one service: the server's warnings, a created namespace. */
  readonly log?: (service: string, line: string) => void;
}

/** The controller reports ProgressDeadlineExceeded shortly after the deadline: wait that long for its word. */
const DEADLINE_GRACE_MS = 15_000;

/** Connects to the cluster `config` names (kubeconfig, context) for deploying `project`. */
export async function openKubernetesTarget(
  config: KubernetesTargetConfig,
  project: string,
  options: KubernetesTargetOptions = {},
): Promise<DeployTarget> {
  const say = (line: string) => options.log?.("kubernetes", line);
  const api = await createKubeApi(config, {
    ...options,
    // Every Warning header, once per distinct text (a warn-level Pod Security namespace sends one per apply).
    onWarning: onceEach((text, request) => say(`warning from the API server (${request}): ${text}`)),
  });
  const client = createObjectClient(api, config.namespace);
  const known = new Map<string, DesiredService | undefined>(
    (options.services ?? []).map((s) => [s, undefined]),
  );
  let manifests: Promise<ManifestObject[]> | undefined;
  const userManifests = (location: string) => {
    manifests ??= readManifests(location);
    return manifests;
  };

  const targetObjects = async (desired: readonly DesiredService[]): Promise<TargetObjects> => {
    for (const d of desired) known.set(d.name, d);
    if (config.manifests === undefined)
      return objectsForTarget(config, project, undefined, new Map(desired.map((d) => [d.name, d])));
    return objectsForTarget(config, project, await userManifests(config.manifests), known);
  };
  const guard = createWriteGuard(
    client,
    config,
    project,
    async () =>
      config.manifests === undefined ? [] : (await userManifests(config.manifests)).map((m) => m.object),
    say,
  );

  const settings = (desired: DesiredService): RolloutSettings => ({
    timeoutMs: (deployment) => {
      const health = desired.spec.deploy.health;
      if (health) return health.timeoutMs;
      const spec = deployment["spec"] as { progressDeadlineSeconds?: number } | undefined;
      return (spec?.progressDeadlineSeconds ?? config.progressDeadlineSeconds) * 1000 + DEADLINE_GRACE_MS;
    },
    poll: { intervalMs: options.pollIntervalMs ?? 500, maxIntervalMs: options.maxPollIntervalMs ?? 5_000 },
    logLines: options.logLines ?? 20,
    keepFailed: options.keepFailed ?? false,
  });

  return {
    config,
    // Pods pull `image@digest` from the registry; the node picks the platform from the index.
    platform: undefined,

    async readLive(forProject: string): Promise<Map<string, LiveService>> {
      const deployments = await client.list("apps/v1", "Deployment", `${KUBE_KEYS.project}=${forProject}`);
      return liveServices(deployments as LiveDeployment[]);
    },

    lock(forProject: string): TargetLock {
      // Creating the Lease is the deploy's first write: the checks come before it.
      return leaseLock(api, config.namespace, forProject, { before: guard });
    },

    async prepare(actions: readonly DeployAction[], context: ApplyContext): Promise<void> {
      if (actions.length === 0) return;
      await guard();
      // A rollback brings its objects with it: nothing of the checkout is applied for it.
      const desired = actions.flatMap((a) =>
        (a.kind === "create" || a.kind === "replace") && !a.desired.objects ? [a.desired] : [],
      );
      if (desired.length === 0) return;
      // Render now so a bad name or an unknown `dray://` fails before anything is applied.
      const objects = await targetObjects(desired);
      for (const skipped of objects.skipped) {
        context.log("kubernetes", `left as deployed: ${skipped} runs a service this deploy keeps`);
      }
      for (const object of sortObjects(objects.shared)) {
        if (context.signal.aborted) return;
        await client.apply(object);
      }
    },

    async apply(action, context): Promise<void> {
      const service = action.desired.name;
      if (context.signal.aborted) {
        throw new UserError(`deploy of ${service} not started: interrupted`);
      }
      await guard();
      // A rollback re-applies exactly what ran; a deploy renders the service's objects.
      const rendered = action.desired.objects
        ? (action.desired.objects as KubeObject[])
        : (await targetObjects([action.desired])).byService.get(service);
      const objects = rendered && withVersion(rendered, action.desired);
      if (!objects || objects.length === 0) {
        throw new UserError(`no Deployment in ${config.manifests} runs the dray service ${service}`, {
          hint: `Use \`image: dray://${service}\` in the container of the Deployment that runs it.`,
        });
      }
      await applyService(client, service, objects, settings(action.desired), context);
    },

    async remove(live: LiveService, context: ApplyContext): Promise<void> {
      await guard();
      await context.step(live.name, "remove", () => removeService(client, live));
    },

    close(): void {
      // Requests hold no connection open between calls: nothing to release.
    },
  };
}

/** Deletes what dray applied for `live`: the objects its annotation lists, else its Deployments. */
async function removeService(client: ObjectClient, live: LiveService): Promise<void> {
  const doomed = new Map<string, KubeObject>();
  for (const id of live.ids) {
    const [kind, name] = id.split("/");
    if (kind !== "deployment" || !name) continue;
    const header: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name } };
    const deployment = await client.get(header);
    if (!deployment) continue;
    const annotation = deployment.metadata.annotations?.[KUBE_KEYS.applied];
    const applied = annotation === undefined ? [header] : (JSON.parse(annotation) as KubeObject[]);
    for (const object of applied) doomed.set(`${object.kind}/${object.metadata.name}`, object);
  }
  for (const object of doomed.values()) await client.remove(object);
}
