/**
 * What must hold before a deploy writes anything to a cluster, checked once per run: the
 * namespace is looked up, every permission the deploy will use is reviewed (nothing is written
 * when one is missing), and a missing namespace is created (or named, with how to create it).
 */
import type { KubernetesTargetConfig } from "../../config/index.js";
import { createMissingNamespace, namespaceState } from "./namespace.js";
import type { ObjectClient } from "./object-client.js";
import type { KubeObject } from "./objects.js";
import { type AppliedResource, deployRules } from "./permissions.js";
import { diagnosticsNote, missingPermissionsError, reviewPermissions } from "./preflight.js";

/** Runs the checks on first use; later calls wait for the same run. */
export type WriteGuard = () => Promise<void>;

/** The guard of one target; `objects` lists what the deploy may apply (user manifests are read for it). */
export function createWriteGuard(
  client: ObjectClient,
  config: KubernetesTargetConfig,
  project: string,
  objects: () => Promise<readonly KubeObject[]>,
  log: (line: string) => void,
): WriteGuard {
  let checked: Promise<void> | undefined;
  const check = async () => {
    const state = await namespaceState(client.api, config.namespace);
    // Not allowed to create it: nothing else matters until someone does.
    if (state === "missing" && !config.createNamespace)
      await createMissingNamespace(client, config.namespace, false, log);
    const creating = state === "missing";
    const rules = deployRules(
      await appliedResources(client, config, await objects()),
      creating ? "create" : "none",
    );
    const missing = await reviewPermissions(client.api, config.namespace, rules);
    if (missing === undefined) log("could not review permissions in advance (no SelfSubjectAccessReview)");
    const required = (missing ?? []).filter((m) => !m.rule.diagnostic);
    if (required.length > 0) throw missingPermissionsError(client.api, project, config.namespace, required);
    const diagnostic = (missing ?? []).filter((m) => m.rule.diagnostic);
    if (diagnostic.length > 0) log(diagnosticsNote(diagnostic));
    if (state === "missing")
      await createMissingNamespace(client, config.namespace, config.createNamespace, log);
  };
  return () => {
    checked ??= check().catch((error: unknown) => {
      checked = undefined;
      throw error;
    });
    return checked;
  };
}

/** Every resource the target's objects are of (Services in generated mode), by discovery. */
async function appliedResources(
  client: ObjectClient,
  config: KubernetesTargetConfig,
  objects: readonly KubeObject[],
): Promise<AppliedResource[]> {
  const found = new Map<string, AppliedResource>();
  if (config.manifests === undefined) found.set("/services", { group: "", resource: "services" });
  for (const object of objects) {
    const info = await client.resource(object.apiVersion, object.kind);
    const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0]! : "";
    found.set(`${group}/${info.name}`, {
      group,
      resource: info.name,
      ...(info.namespaced ? {} : { cluster: true }),
    });
  }
  return [...found.values()];
}
