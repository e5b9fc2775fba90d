/**
 * A TEST FAKE of the Kubernetes API server, for tests only: a node:http server on 127.0.0.1 that
 * keeps objects in memory and answers the calls dray makes the way a real kube-apiserver (v1.28)
 * does, for everything dray depends on — each behaviour below is documented, next to its code,
 * with the real server's exact answer:
 * - discovery, get, list with label and field selectors, create (POST), update (PUT, with
 *   resourceVersion conflicts), delete, server-side apply, merge and strategic-merge patch, and
 *   the scale subresource (fake-kube/resources.ts, fake-kube/patch.ts);
 * - content negotiation: `Accept: text/plain` gets 406; pods/log answers text/plain to `*\/*`;
 * - a write into a namespace that does not exist gets 404 `namespaces "x" not found`;
 * - managed fields for server-side apply and updates (fake-kube/managed-fields.ts);
 * - Pod Security admission of the `restricted` profile: `Warning: 299 - "would violate …"`
 *   headers and FailedCreate conditions and Events (fake-kube/pod-security.ts, controller.ts);
 * - authorization: 403s and SelfSubjectAccessReview from the rules a test sets (fake-kube/rbac.ts);
 * - coordination.k8s.io/v1 Leases (409 on a stale update);
 * - DELETE with DeleteOptions `preconditions` (uid, resourceVersion): 409 Conflict when the stored
 *   object is not the one named (fake-kube/resources.ts, preconditionFailure).
 * It is NOT a Kubernetes: apply merges naïvely (each top-level field the applied object sets
 * replaces the stored one, so fields only another manager set are dropped too), there is no
 * defaulting, no validation beyond the above, and no watch. Every request is recorded.
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parse } from "yaml";
import { type FakeObject, type FakeState, podsOf, rollOut } from "./fake-kube/controller.js";
import { afterApply, afterUpdate, type ManagedFieldsEntry, managerOf } from "./fake-kube/managed-fields.js";
import { mergePatch, strategicMergePatch } from "./fake-kube/patch.js";
import { podSecurityMessage, restrictedBy, restrictedViolations } from "./fake-kube/pod-security.js";
import { type Attributes, type Denial, denied, forbidden, reviewAnswer, verbOf } from "./fake-kube/rbac.js";
import {
  acceptable,
  alreadyExists,
  conflict,
  groupOf,
  HttpError,
  NOT_ACCEPTABLE,
  namespaceNotFound,
  notFound,
  preconditionFailure,
  RESOURCES,
  type Resource,
  statusBody,
} from "./fake-kube/resources.js";
import { matchesFields, matchesLabels } from "./fake-kube/selectors.js";

export type { FakeObject } from "./fake-kube/controller.js";
export type { Denial } from "./fake-kube/rbac.js";

/** One request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly fieldManager: string | undefined;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
  readonly userAgent: string | undefined;
  /** The answer's status code, set once the fake answered. */
  status?: number;
}

/** The running fake and the handles a test uses to steer and inspect it. */
export interface FakeKubeApi {
  /** "http://127.0.0.1:<port>". */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The stored object, or undefined. */
  get(kind: string, namespace: string, name: string): FakeObject | undefined;
  /** Every stored object of `kind`. */
  list(kind: string): FakeObject[];
  /** Rollouts of Deployments with an image containing `marker` crash (CrashLoopBackOff, exit 2). */
  failImagesContaining(marker: string): void;
  /** Rollouts of Deployments with an image containing `marker` cannot pull it (ImagePullBackOff). */
  failPullsContaining(marker: string): void;
  /** Creates (or relabels) a namespace, e.g. with `pod-security.kubernetes.io/enforce: restricted`. */
  addNamespace(name: string, labels?: Record<string, string>): void;
  /**
   * Puts a running pod with these labels whose container wrote `log`, as a kubelet would report it
   * (the fake's own rollouts make pods only for failures).
   */
  addPod(namespace: string, name: string, labels: Record<string, string>, log: string): void;
  /** Takes a permission away from the kubeconfig's user: requests and reviews for it are denied. */
  forbid(denial: Denial): void;
  /** Answer matching requests with this error before they have any effect. */
  reject(when: (request: RecordedRequest) => { status: number; message: string } | undefined): void;
  /** Writes a kubeconfig pointing at the fake into `dir`; returns its path. */
  writeKubeconfig(
    dir: string,
    options?: { context?: string; token?: string; file?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

/** The user every token authenticates as, named in 403 messages. */
export const FAKE_USER = "fake-user";

/** Starts the fake on a random port. `rolloutDelayMs` is how long its pretend rollouts take. */
export async function startFakeKubeApi(
  options: { rolloutDelayMs?: number; tls?: { key: string; cert: string } } = {},
): Promise<FakeKubeApi> {
  const delay = options.rolloutDelayMs ?? 30;
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  const denials: Denial[] = [];
  let rejecter: (request: RecordedRequest) => { status: number; message: string } | undefined = () =>
    undefined;
  let version = 1;
  const state: FakeState = {
    store: new Map(),
    logs: new Map(),
    crashing: new Set(),
    unpullable: new Set(),
    key: (kind, namespace, name) => `${kind}/${namespace ?? ""}/${name}`,
    later(fn, ms = delay) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
    },
    nextVersion: () => String(++version),
  };
  const addNamespace = (name: string, labels: Record<string, string> = {}) => {
    const id = state.key("Namespace", undefined, name);
    const existing = state.store.get(id);
    if (existing) existing.metadata["labels"] = { ...(existing.metadata["labels"] as object), ...labels };
    else
      state.store.set(id, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name,
          uid: randomUUID(),
          resourceVersion: state.nextVersion(),
          labels: { "kubernetes.io/metadata.name": name, ...labels },
        },
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      });
  };
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) addNamespace(name);

  /** Stores `object` as created or changed by `manager`; answers with it and any warnings. */
  const store = (
    resource: Resource,
    namespace: string | undefined,
    object: FakeObject,
    before: FakeObject | undefined,
  ) => {
    const stored = object;
    if (namespace !== undefined) stored.metadata.namespace = namespace;
    const specChanged = JSON.stringify(before?.["spec"]) !== JSON.stringify(stored["spec"]);
    const generation = (before?.metadata["generation"] as number | undefined) ?? 0;
    stored.metadata["generation"] = before && !specChanged ? generation : generation + 1;
    stored.metadata["uid"] = before?.metadata["uid"] ?? randomUUID();
    stored.metadata["creationTimestamp"] = before?.metadata["creationTimestamp"] ?? new Date().toISOString();
    stored.metadata["resourceVersion"] = state.nextVersion();
    if (before?.["status"] !== undefined) stored["status"] = before["status"];
    state.store.set(state.key(resource.kind, namespace, stored.metadata.name), stored);
    if (resource.kind === "Deployment" && (specChanged || !before)) rollOut(state, stored);
    return { status: before ? 200 : 201, body: stored, warnings: warningsFor(stored) };
  };

  /**
   * Pod Security `warn`: a workload applied into a namespace labelled `…/warn: restricted` whose
   * pod template violates the profile is stored, and the answer carries
   * `Warning: 299 - "would violate PodSecurity \"restricted:latest\": …"`.
   */
  const warningsFor = (object: FakeObject): string[] => {
    if (object.kind !== "Deployment") return [];
    const ns = state.store.get(state.key("Namespace", undefined, object.metadata.namespace ?? ""));
    if (!restrictedBy(ns?.metadata["labels"] as Record<string, string>, "warn")) return [];
    const template = (object["spec"] as { template?: { spec?: object } } | undefined)?.template;
    const violations = restrictedViolations(template?.spec ?? {});
    return violations.length > 0 ? [podSecurityMessage(violations, true)] : [];
  };

  const handle = async (request: http.IncomingMessage, recorded: RecordedRequest, text: string) => {
    if (!acceptable(recorded.accept)) throw NOT_ACCEPTABLE;
    const parts = recorded.path.split("/").filter(Boolean);
    if (recorded.path === "/version")
      return { status: 200, body: { major: "1", minor: "28", gitVersion: "v1.28.7-fake" } };
    const core = parts[0] === "api";
    const apiVersion = core ? parts[1]! : `${parts[1]}/${parts[2]}`;
    const rest = parts.slice(core ? 2 : 3);
    if (rest.length === 0) return discovery(apiVersion);
    const namespace = rest[0] === "namespaces" && rest.length > 2 ? rest[1] : undefined;
    const [resourceName, name, subresource] = namespace === undefined ? rest : rest.slice(2);
    const resource = RESOURCES.find((r) => r.apiVersion === apiVersion && r.name === resourceName);
    if (!resource) throw new HttpError(404, "the server could not find the requested resource", "NotFound");
    const method = request.method ?? "GET";
    const attributes: Attributes = {
      verb: verbOf(method, name !== undefined),
      group: groupOf(apiVersion),
      resource: resource.name,
      ...(subresource ? { subresource } : {}),
      ...(namespace ? { namespace } : {}),
      ...(name ? { name } : {}),
    };
    if (denied(denials, attributes)) throw forbidden(FAKE_USER, attributes);
    if (resource.kind === "SelfSubjectAccessReview") {
      if (method !== "POST") throw new HttpError(405, `${method} is not allowed`, "MethodNotAllowed");
      return { status: 201, body: reviewAnswer(denials, JSON.parse(text) as object) };
    }
    const writes = ["POST", "PUT", "PATCH"].includes(method);
    if (writes && namespace !== undefined && !state.store.has(state.key("Namespace", undefined, namespace)))
      throw namespaceNotFound(namespace);
    const id = state.key(resource.kind, namespace, name ?? "");
    const manager = managerOf(recorded.fieldManager, recorded.userAgent);

    if (method === "GET" && name === undefined) return listOf(resource, namespace, recorded.query);
    if (method === "POST" && name === undefined) {
      const object = JSON.parse(text) as FakeObject;
      const objectId = state.key(resource.kind, namespace, object.metadata?.name ?? "");
      if (state.store.has(objectId)) throw alreadyExists(resource, object.metadata.name);
      object.metadata.managedFields = afterUpdate([], manager, {}, object, apiVersion);
      return store(resource, namespace, object, undefined);
    }
    if (name === undefined) throw new HttpError(405, `${method} needs an object name`, "MethodNotAllowed");
    if (subresource === "log" && method === "GET") return podLog(resource, namespace, name, recorded.query);
    if (subresource === "scale")
      return scale(resource, namespace, name, method, text, manager, recorded.contentType);
    const existing = state.store.get(id);
    if (method === "GET") {
      if (!existing) throw notFound(resource, name);
      return { status: 200, body: existing };
    }
    if (method === "DELETE") {
      if (!existing) throw notFound(resource, name);
      const failed = preconditionFailure(existing, text);
      if (failed) throw conflict(resource, name, failed);
      state.store.delete(id);
      if (resource.kind === "Deployment") {
        for (const pod of podsOf(state, namespace, name))
          state.store.delete(state.key("Pod", namespace, pod.metadata.name));
      }
      return { status: 200, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success" } };
    }
    if (method === "PUT") {
      const object = JSON.parse(text) as FakeObject;
      if (!existing) throw notFound(resource, name);
      const wanted = object.metadata?.resourceVersion;
      if (wanted !== undefined && wanted !== existing.metadata["resourceVersion"])
        throw conflict(resource, name);
      object.metadata.managedFields = afterUpdate(managed(existing), manager, existing, object, apiVersion);
      return store(resource, namespace, object, existing);
    }
    if (method === "PATCH") return patch(resource, namespace, name, text, recorded, manager, attributes);
    throw new HttpError(405, `${method} is not implemented by the fake`, "MethodNotAllowed");
  };

  const patch = (
    resource: Resource,
    namespace: string | undefined,
    name: string,
    text: string,
    recorded: RecordedRequest,
    manager: string,
    attributes: Attributes,
  ) => {
    const existing = state.store.get(state.key(resource.kind, namespace, name));
    if (recorded.contentType === "application/apply-patch+yaml") {
      // The real server requires a field manager for apply patches:
      // 422 `fieldManager: Required value: is required for apply patch`.
      if (!recorded.fieldManager)
        throw new HttpError(422, "fieldManager: Required value: is required for apply patch", "Invalid");
      const body = parse(text) as FakeObject;
      if (
        body.kind !== resource.kind ||
        body.apiVersion !== resource.apiVersion ||
        body.metadata?.name !== name
      )
        throw new HttpError(400, `the object in the body is not ${resource.kind} ${name}`);
      // An apply that creates the object is authorized as a create too.
      if (!existing && denied(denials, { ...attributes, verb: "create" }))
        throw forbidden(FAKE_USER, { ...attributes, verb: "create" });
      const object = { ...(existing ?? {}), ...body, metadata: { ...existing?.metadata } } as FakeObject;
      for (const [field, value] of Object.entries(body.metadata)) object.metadata[field] = value;
      object.metadata.managedFields = afterApply(
        managed(existing),
        manager,
        body,
        existing,
        object,
        resource.apiVersion,
      );
      return store(resource, namespace, object, existing);
    }
    if (!existing) throw notFound(resource, name);
    const body = JSON.parse(text) as unknown;
    const merged =
      recorded.contentType === "application/merge-patch+json"
        ? mergePatch(structuredClone(existing), body)
        : recorded.contentType === "application/strategic-merge-patch+json"
          ? strategicMergePatch(structuredClone(existing), body)
          : undefined;
    if (merged === undefined)
      throw new HttpError(
        415,
        `the fake does not implement ${recorded.contentType} patches`,
        "UnsupportedMediaType",
      );
    const object = merged as FakeObject;
    object.metadata.managedFields = afterUpdate(
      managed(existing),
      manager,
      existing,
      object,
      resource.apiVersion,
    );
    return store(resource, namespace, object, existing);
  };

  /** `deployments/{name}/scale` as `kubectl scale` uses it: an autoscaling/v1 Scale, updated by merge patch. */
  const scale = (
    resource: Resource,
    namespace: string | undefined,
    name: string,
    method: string,
    text: string,
    manager: string,
    contentType: string | undefined,
  ) => {
    const existing = state.store.get(state.key(resource.kind, namespace, name));
    if (!existing || resource.kind !== "Deployment") throw notFound(resource, name);
    const spec = existing["spec"] as { replicas?: number };
    const asScale = (object: FakeObject) => ({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name, namespace, resourceVersion: object.metadata["resourceVersion"] },
      spec: { replicas: (object["spec"] as { replicas?: number }).replicas ?? 1 },
      status: { replicas: (object["status"] as { replicas?: number } | undefined)?.replicas ?? 0 },
    });
    if (method === "GET") return { status: 200, body: asScale(existing) };
    if (method !== "PATCH" || contentType !== "application/merge-patch+json")
      throw new HttpError(415, "the fake scales by merge patch only", "UnsupportedMediaType");
    const replicas = (JSON.parse(text) as { spec?: { replicas?: number } }).spec?.replicas ?? spec.replicas;
    const object = structuredClone(existing);
    (object["spec"] as { replicas?: number }).replicas = replicas;
    object.metadata.managedFields = afterUpdate(
      managed(existing),
      manager,
      existing,
      object,
      "apps/v1",
      "scale",
    );
    const answer = store(resource, namespace, object, existing);
    return { ...answer, body: asScale(answer.body) };
  };

  const discovery = (apiVersion: string) => {
    const resources = RESOURCES.filter((r) => r.apiVersion === apiVersion).map((r) => ({
      name: r.name,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: ["create", "delete", "get", "list", "patch", "update"],
    }));
    if (resources.length === 0)
      throw new HttpError(404, "the server could not find the requested resource", "NotFound");
    return { status: 200, body: { kind: "APIResourceList", groupVersion: apiVersion, resources } };
  };

  const listOf = (resource: Resource, namespace: string | undefined, query: Record<string, string>) => {
    const items = [...state.store.values()]
      .filter(
        (o) => o.kind === resource.kind && (namespace === undefined || o.metadata.namespace === namespace),
      )
      .filter(
        (o) =>
          matchesLabels(o, query["labelSelector"] ?? "") && matchesFields(o, query["fieldSelector"] ?? ""),
      )
      .map(({ apiVersion: _a, kind: _k, ...item }) => item);
    return {
      status: 200,
      body: {
        kind: `${resource.kind}List`,
        apiVersion: resource.apiVersion,
        metadata: { resourceVersion: String(version) },
        items,
      },
    };
  };

  /**
   * pods/log. A container that has not started has no log: the real server answers 400
   * `container "api" in pod "api-…" is waiting to start: trying and failing to pull image`.
   */
  const podLog = (
    resource: Resource,
    namespace: string | undefined,
    name: string,
    query: Record<string, string>,
  ) => {
    const id = state.key("Pod", namespace, name);
    if (!state.store.has(id)) throw notFound(resource, name);
    const text = state.logs.get(id);
    const container = query["container"] ?? "main";
    if (text === undefined)
      throw new HttpError(
        400,
        `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`,
      );
    const lines = Number(query["tailLines"] ?? "0");
    return {
      status: 200,
      text: lines > 0 ? text.split("\n").filter(Boolean).slice(-lines).join("\n") : text,
    };
  };

  const listener: http.RequestListener = (request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const recorded: RecordedRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      query,
      contentType: request.headers["content-type"],
      fieldManager: query["fieldManager"],
      authorization: request.headers.authorization,
      accept: request.headers.accept,
      userAgent: request.headers["user-agent"],
    };
    requests.push(recorded);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const send = (status: number, body: unknown, text?: string, warnings: readonly string[] = []) => {
        recorded.status = status;
        response.setHeader("content-type", text === undefined ? "application/json" : "text/plain");
        // One header per warning, as the real server sends them.
        if (warnings.length > 0)
          response.setHeader(
            "warning",
            warnings.map((w) => `299 - ${JSON.stringify(w)}`),
          );
        response.writeHead(status);
        response.end(text ?? JSON.stringify(body));
      };
      const refused = rejecter(recorded);
      if (refused) {
        send(refused.status, statusBody(refused.status, refused.message, "Refused"));
        return;
      }
      handle(request, recorded, Buffer.concat(chunks).toString("utf8")).then(
        (answer) =>
          send(
            answer.status,
            "body" in answer ? answer.body : undefined,
            "text" in answer ? answer.text : undefined,
            "warnings" in answer ? answer.warnings : [],
          ),
        (error: unknown) => {
          if (error instanceof HttpError)
            send(error.status, statusBody(error.status, error.message, error.reason, error.details));
          else send(500, statusBody(500, String(error), "InternalError"));
        },
      );
    });
  };
  // With `tls`, it serves HTTPS like a real server (in-cluster credentials always use https).
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    get: (kind, namespace, name) =>
      state.store.get(state.key(kind, kind === "Namespace" ? undefined : namespace, name)),
    list: (kind) => [...state.store.values()].filter((o) => o.kind === kind),
    failImagesContaining: (marker) => void state.crashing.add(marker),
    failPullsContaining: (marker) => void state.unpullable.add(marker),
    addNamespace,
    addPod(namespace, name, labels, log) {
      const id = state.key("Pod", namespace, name);
      state.store.set(id, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels, resourceVersion: state.nextVersion() },
        status: { phase: "Running" },
      });
      state.logs.set(id, log);
    },
    forbid: (denial) => void denials.push(denial),
    reject: (when) => {
      rejecter = when;
    },
    async writeKubeconfig(dir, { context = "fake", token = "fake-token", file = "kubeconfig" } = {}) {
      const target = path.join(dir, file);
      const config = {
        apiVersion: "v1",
        kind: "Config",
        // Plain HTTP is only accepted by the client with TLS verification off.
        clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "fake-user", user: { token } }],
        contexts: [{ name: context, context: { cluster: "fake", user: "fake-user", namespace: "default" } }],
        "current-context": context,
      };
      await writeFile(target, JSON.stringify(config, null, 2));
      return target;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function managed(object: FakeObject | undefined): ManagedFieldsEntry[] {
  return (object?.metadata["managedFields"] as ManagedFieldsEntry[] | undefined) ?? [];
}
