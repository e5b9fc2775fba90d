/** Reads, server-side applies and deletes whole objects of any kind over a KubeApi. */

import { createResourcePaths, type ResourceInfo } from "./api-discovery.js";
import { isNotFound } from "./api-errors.js";
import type { KubeApi } from "./kube-api.js";
import { FIELD_MANAGER, type KubeObject } from "./objects.js";

/** Object-level operations in one default namespace. */
export interface ObjectClient {
  readonly api: KubeApi;
  /** The resource (plural name, scope) objects of `apiVersion`/`kind` are, by discovery. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** The object as the server has it, or undefined when it does not exist. */
  get(object: KubeObject): Promise<KubeObject | undefined>;
  /** Server-side apply with field manager "dray"; returns what the server stored. */
  apply(object: KubeObject): Promise<KubeObject>;
  /** Deletes the object; true when it was there. */
  remove(object: KubeObject): Promise<boolean>;
  /** Objects of a kind matching a label selector ("dray.dev/project=shop") and a field selector. */
  list(
    apiVersion: string,
    kind: string,
    labelSelector?: string,
    fieldSelector?: string,
  ): Promise<KubeObject[]>;
}

/** An ObjectClient for `namespace`, the default for objects that name none. */
export function createObjectClient(api: KubeApi, namespace: string): ObjectClient {
  const paths = createResourcePaths(api);
  return {
    api,
    resource: (apiVersion, kind) => paths.resource(apiVersion, kind),
    async get(object) {
      try {
        return (await api.request("GET", await paths.objectPath(object, namespace))) as KubeObject;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async apply(object) {
      const target = await paths.namespaceOf(object, namespace);
      const body =
        target === undefined ? object : { ...object, metadata: { ...object.metadata, namespace: target } };
      // Server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/): the
      // server merges and tracks field ownership; force takes over fields another manager (an
      // earlier `kubectl apply`) owns, since dray.yaml is the source of truth for them. JSON is
      // YAML, so the apply-patch+yaml content type takes the JSON body as it is.
      return (await api.request("PATCH", await paths.objectPath(object, namespace), {
        query: { fieldManager: FIELD_MANAGER, force: true },
        body,
        contentType: "application/apply-patch+yaml",
      })) as KubeObject;
    },
    async remove(object) {
      try {
        await api.request("DELETE", await paths.objectPath(object, namespace), {
          // Foreground would make the call wait for the pods; background deletes them after.
          query: { propagationPolicy: "Background" },
        });
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async list(apiVersion, kind, labelSelector, fieldSelector) {
      const answer = (await api.request("GET", await paths.collection(apiVersion, kind, namespace), {
        query: { labelSelector, fieldSelector },
      })) as { items?: KubeObject[] };
      // List items leave out apiVersion and kind; put them back so callers can name the objects.
      return (answer.items ?? []).map((item) => ({ ...item, apiVersion, kind }));
    },
  };
}
