/**
 * Which API server a kubernetes target talks to, and as whom, resolved as kubectl resolves it
 * (client-go's clientcmd loading rules): an explicit kubeconfig (the target's `kubeconfig:`),
 * else every file in KUBECONFIG merged, else ~/.kube/config; and when none of them exists, the
 * credentials a pod's service account mounts (in-cluster config). Then the target's `context`,
 * else the current context, names the cluster and user.
 */
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { KubernetesTargetConfig } from "../../config/index.js";
import { UserError } from "../../errors/index.js";
import type { ServerSource } from "./api-errors.js";
import {
  EMPTY_KUBECONFIG,
  expandHome,
  type Kubeconfig,
  mergeKubeconfigs,
  type RawCluster,
  type RawUser,
  readKubeconfigFile,
} from "./kubeconfig-merge.js";

/** The cluster and user one target uses, with where they came from (for messages). */
export interface ClusterAccess {
  readonly source: ServerSource;
  readonly cluster: RawCluster & { readonly server: string };
  readonly user: RawUser;
}

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** What decides the resolution besides the target's settings. */
export interface AccessOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where the target is written in dray.yaml ("dray.yaml:14:5"), for hints. */
  readonly where?: string;
  /** The service account folder (default SERVICE_ACCOUNT_DIR); tests point it elsewhere. */
  readonly serviceAccountDir?: string;
}

/** Resolves the cluster and user of `config`. */
export async function resolveClusterAccess(
  config: KubernetesTargetConfig,
  options: AccessOptions,
): Promise<ClusterAccess> {
  const { env } = options;
  const home = env["HOME"] || os.homedir();
  const target = `the kubernetes target "${config.name}"${options.where ? ` (${options.where})` : ""}`;
  const { files, described } = kubeconfigFiles(config, env, home);
  const read: Kubeconfig[] = [];
  for (const file of files) {
    const parsed = await readKubeconfigFile(file);
    if (parsed) read.push(parsed);
    else if (config.kubeconfig !== undefined) {
      throw new UserError(`the kubeconfig ${file} does not exist`, {
        hint: `Fix \`kubeconfig\` of ${target}, or remove it to use KUBECONFIG or ~/.kube/config.`,
      });
    }
  }
  const merged = read.length > 0 ? mergeKubeconfigs(read) : EMPTY_KUBECONFIG;
  const serviceAccount = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (merged.contexts.size === 0 && merged.clusters.size === 0 && config.context === undefined) {
    const inCluster = inClusterAccess(env, serviceAccount);
    if (inCluster) return inCluster;
    throw new UserError(`no kubeconfig for ${target}: ${described} has no clusters`, {
      hint: "Set `kubeconfig` of the target or KUBECONFIG, log in to the cluster (which writes ~/.kube/config), or run dray in a pod with a service account.",
    });
  }
  return selectContext(merged, config.context, described, target);
}

function kubeconfigFiles(
  config: KubernetesTargetConfig,
  env: NodeJS.ProcessEnv,
  home: string,
): { files: string[]; described: string } {
  if (config.kubeconfig !== undefined) {
    const file = expandHome(config.kubeconfig, home);
    return { files: [file], described: file };
  }
  const list = (env["KUBECONFIG"] ?? "")
    .split(path.delimiter)
    .filter(Boolean)
    .map((file) => path.resolve(expandHome(file, home)));
  const unique = [...new Set(list)];
  if (unique.length > 0) return { files: unique, described: `KUBECONFIG (${unique.join(path.delimiter)})` };
  const file = path.join(home, ".kube", "config");
  return { files: [file], described: file };
}

function selectContext(
  merged: Kubeconfig,
  wanted: string | undefined,
  described: string,
  target: string,
): ClusterAccess {
  const name = wanted ?? merged.currentContext;
  const contexts = [...merged.contexts.keys()];
  if (name === undefined) {
    throw new UserError(`${described} sets no current-context`, {
      hint: `Set \`context\` of ${target} (one of: ${contexts.join(", ") || "(none)"}), or run kubectl config use-context NAME.`,
    });
  }
  const context = merged.contexts.get(name);
  if (!context) {
    throw new UserError(`no context "${name}" in ${described}`, {
      hint: `Contexts there: ${contexts.join(", ") || "(none)"}. Fix \`context\` of ${target}.`,
    });
  }
  const cluster = context.cluster === undefined ? undefined : merged.clusters.get(context.cluster);
  if (!cluster || typeof cluster.server !== "string" || cluster.server === "") {
    throw new UserError(`the kubeconfig ${described} names no cluster with a server for context "${name}"`, {
      hint: `Give context "${name}" a cluster with a server, or select another with \`context\` of ${target}.`,
    });
  }
  const user = (context.user === undefined ? undefined : merged.users.get(context.user)) ?? {};
  return {
    source: { server: cluster.server, context: name, kubeconfig: described },
    cluster: { ...cluster, server: cluster.server },
    user,
  };
}

/**
 * A pod's own credentials, as client-go's InClusterConfig reads them: possible when
 * KUBERNETES_SERVICE_HOST and _PORT are set and the token file exists. The token is read again
 * for every request, since the kubelet rotates it.
 */
export function inClusterAccess(env: NodeJS.ProcessEnv, dir: string): ClusterAccess | undefined {
  const host = env["KUBERNETES_SERVICE_HOST"];
  const port = env["KUBERNETES_SERVICE_PORT"];
  const tokenFile = path.join(dir, "token");
  if (!host || !port || !isFile(tokenFile)) return undefined;
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const ca = path.join(dir, "ca.crt");
  return {
    source: { server, context: "in-cluster", kubeconfig: `the pod's service account (${dir})` },
    cluster: { server, ...(existsSync(ca) ? { "certificate-authority": ca } : {}) },
    user: { tokenFile },
  };
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
