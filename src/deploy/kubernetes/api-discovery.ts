/**
 * Finds the URL of any object from its apiVersion and kind through API discovery
 * (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api), so user manifests
 * may hold any kind the cluster serves, custom resources included.
 */
import { UserError } from "../../errors/index.js";
import { isNotFound } from "./api-errors.js";
import type { KubeApi } from "./kube-api.js";
import type { KubeObject } from "./objects.js";

/** How to reach objects of one kind. */
export interface ResourceInfo {
  /** The plural resource name in URLs: "deployments". */
  readonly name: string;
  readonly namespaced: boolean;
}

/** Resolves object URLs; discovery answers are cached for the life of the target. */
export interface ResourcePaths {
  /** The plural name and scope of `apiVersion`/`kind`; a UserError when the cluster does not serve it. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** The collection URL of `apiVersion`/`kind` (in `namespace` when the kind is namespaced). */
  collection(apiVersion: string, kind: string, namespace: string): Promise<string>;
  /** The URL of `object`; a namespaced object without a namespace lands in `defaultNamespace`. */
  objectPath(object: KubeObject, defaultNamespace: string): Promise<string>;
  /** The namespace `object` ends up in, undefined for a cluster-scoped kind. */
  namespaceOf(object: KubeObject, defaultNamespace: string): Promise<string | undefined>;
}

/** Discovery over `api`. */
export function createResourcePaths(api: KubeApi): ResourcePaths {
  const groups = new Map<string, Promise<Map<string, ResourceInfo>>>();

  const groupPath = (apiVersion: string): string =>
    apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

  const discover = async (apiVersion: string): Promise<Map<string, ResourceInfo>> => {
    const kinds = new Map<string, ResourceInfo>();
    let list: unknown;
    try {
      list = await api.request("GET", groupPath(apiVersion));
    } catch (error) {
      if (isNotFound(error)) return kinds;
      throw error;
    }
    const resources = (list as { resources?: { name: string; kind: string; namespaced: boolean }[] })
      .resources;
    for (const resource of resources ?? []) {
      // "deployments/status" and the like are subresources, not the kind's own URL.
      if (!resource.name.includes("/")) {
        kinds.set(resource.kind, { name: resource.name, namespaced: resource.namespaced });
      }
    }
    return kinds;
  };

  const info = async (apiVersion: string, kind: string): Promise<ResourceInfo> => {
    let group = groups.get(apiVersion);
    if (!group) {
      group = discover(apiVersion);
      groups.set(apiVersion, group);
      group.catch(() => groups.delete(apiVersion));
    }
    const found = (await group).get(kind);
    if (found) return found;
    throw new UserError(
      `the Kubernetes cluster at ${api.source.server} does not serve ${kind} (${apiVersion})`,
      {
        hint: "Install the CRD or API that provides it, or fix apiVersion/kind in the manifests.",
      },
    );
  };

  const paths: ResourcePaths = {
    resource: info,
    async collection(apiVersion, kind, namespace) {
      const resource = await info(apiVersion, kind);
      const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : "";
      return `${groupPath(apiVersion)}${scope}/${resource.name}`;
    },
    async objectPath(object, defaultNamespace) {
      const namespace = (await paths.namespaceOf(object, defaultNamespace)) ?? "";
      const collection = await paths.collection(object.apiVersion, object.kind, namespace);
      return `${collection}/${encodeURIComponent(object.metadata.name)}`;
    },
    async namespaceOf(object, defaultNamespace) {
      const resource = await info(object.apiVersion, object.kind);
      return resource.namespaced ? (object.metadata.namespace ?? defaultNamespace) : undefined;
    },
  };
  return paths;
}
