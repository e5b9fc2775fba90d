/**
 * A TEST FAKE of the Kubernetes API server, for tests only: a node:http server on 127.0.0.1 that
 * keeps objects in memory and answers the few calls dray makes (discovery, get, list with label
 * selectors, server-side apply, delete, pods/log). Apply merges naïvely: each top-level field the
 * applied object sets replaces the stored one. A pretend Deployment controller finishes every
 * rollout shortly after an apply, except for images the test marked as failing, whose rollouts
 * end with ProgressDeadlineExceeded and a not-ready pod with log lines. Every request is recorded.
 * It is NOT a Kubernetes: no defaulting, validation, field ownership or watch.
 */
import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parse } from "yaml";

/** One request as the fake saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly fieldManager: string | undefined;
  readonly authorization: string | undefined;
}

/** An object as the fake stores it. */
export type FakeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** The running fake and the handles a test uses to steer and inspect it. */
export interface FakeKubeApi {
  /** "http://127.0.0.1:<port>". */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The stored object, or undefined. */
  get(kind: string, namespace: string, name: string): FakeObject | undefined;
  /** Every stored object of `kind`. */
  list(kind: string): FakeObject[];
  /** Rollouts of Deployments with an image containing `marker` fail with ProgressDeadlineExceeded. */
  failImagesContaining(marker: string): void;
  /** Answer matching requests with this error before they have any effect. */
  reject(when: (request: RecordedRequest) => { status: number; message: string } | undefined): void;
  /** Writes a kubeconfig pointing at the fake (bearer token "fake-token") into `dir`; returns its path. */
  writeKubeconfig(dir: string, options?: { context?: string }): Promise<string>;
  close(): Promise<void>;
}

interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespaced: boolean;
}

const RESOURCES: readonly Resource[] = [
  { apiVersion: "v1", kind: "Service", name: "services", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", name: "configmaps", namespaced: true },
  { apiVersion: "v1", kind: "Pod", name: "pods", namespaced: true },
  { apiVersion: "v1", kind: "Namespace", name: "namespaces", namespaced: false },
  { apiVersion: "apps/v1", kind: "Deployment", name: "deployments", namespaced: true },
];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = "BadRequest",
  ) {
    super(message);
  }
}

/** Starts the fake on a random port. `rolloutDelayMs` is how long its pretend rollouts take. */
export async function startFakeKubeApi(options: { rolloutDelayMs?: number } = {}): Promise<FakeKubeApi> {
  const delay = options.rolloutDelayMs ?? 30;
  const store = new Map<string, FakeObject>();
  const logs = new Map<string, string>();
  const failing = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: RecordedRequest[] = [];
  let rejecter: (request: RecordedRequest) => { status: number; message: string } | undefined = () =>
    undefined;
  let version = 1;

  const key = (kind: string, namespace: string | undefined, name: string) =>
    `${kind}/${namespace ?? ""}/${name}`;

  const later = (fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delay);
    timers.add(timer);
  };

  /** The pretend Deployment controller: status catches up with the spec after `delay`. */
  const rollOut = (deployment: FakeObject) => {
    const namespace = deployment.metadata.namespace;
    const name = deployment.metadata.name;
    const generation = deployment.metadata["generation"] as number;
    later(() => {
      const current = store.get(key("Deployment", namespace, name));
      if (!current || current.metadata["generation"] !== generation) return;
      const spec = current["spec"] as { replicas?: number; template?: PodTemplate };
      const replicas = spec.replicas ?? 1;
      const images = (spec.template?.spec?.containers ?? []).map((c) => c.image);
      const previous = (current["status"] ?? {}) as { availableReplicas?: number };
      for (const pod of podsOf(namespace, name)) store.delete(key("Pod", namespace, pod.metadata.name));
      if (images.some((image) => [...failing].some((marker) => image.includes(marker)))) {
        current["status"] = {
          observedGeneration: generation,
          replicas: (previous.availableReplicas ?? 0) + 1,
          updatedReplicas: 1,
          availableReplicas: previous.availableReplicas ?? 0,
          unavailableReplicas: 1,
          conditions: [
            { type: "Available", status: previous.availableReplicas ? "True" : "False" },
            { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" },
          ],
        };
        addFailingPod(current, spec.template ?? {}, images);
      } else {
        current["status"] = {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions: [
            { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
            { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
          ],
        };
      }
    });
  };

  const podsOf = (namespace: string | undefined, deployment: string) =>
    [...store.values()].filter(
      (o) => o.kind === "Pod" && o.metadata.namespace === namespace && o.metadata["ownerName"] === deployment,
    );

  const addFailingPod = (deployment: FakeObject, template: PodTemplate, images: string[]) => {
    const name = `${deployment.metadata.name}-${randomUUID().slice(0, 8)}`;
    const namespace = deployment.metadata.namespace;
    store.set(key("Pod", namespace, name), {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace,
        labels: template.metadata?.labels ?? {},
        ownerName: deployment.metadata.name,
        creationTimestamp: new Date().toISOString(),
      },
      spec: { containers: template.spec?.containers ?? [] },
      status: { conditions: [{ type: "Ready", status: "False" }] },
    });
    logs.set(
      key("Pod", namespace, name),
      `starting ${images.join(" ")}\npanic: fake failure for this image\n`,
    );
  };

  const apply = (resource: Resource, namespace: string | undefined, name: string, body: FakeObject) => {
    if (
      body.kind !== resource.kind ||
      body.apiVersion !== resource.apiVersion ||
      body.metadata?.name !== name
    ) {
      throw new HttpError(400, `the object in the body is not ${resource.kind} ${name}`);
    }
    const id = key(resource.kind, namespace, name);
    const existing = store.get(id);
    const stored: FakeObject = {
      ...(existing ?? {}),
      ...body,
      metadata: { ...existing?.metadata },
    } as FakeObject;
    for (const [field, value] of Object.entries(body.metadata)) stored.metadata[field] = value;
    if (namespace !== undefined) stored.metadata.namespace = namespace;
    const specChanged = JSON.stringify(existing?.["spec"]) !== JSON.stringify(body["spec"]);
    const generation = (existing?.metadata["generation"] as number | undefined) ?? 0;
    stored.metadata["generation"] = existing && !specChanged ? generation : generation + 1;
    stored.metadata["uid"] ??= randomUUID();
    stored.metadata["creationTimestamp"] ??= new Date().toISOString();
    stored.metadata["resourceVersion"] = String(++version);
    if (existing?.["status"] !== undefined) stored["status"] = existing["status"];
    store.set(id, stored);
    if (resource.kind === "Deployment" && (specChanged || !existing)) rollOut(stored);
    return { status: existing ? 200 : 201, body: stored };
  };

  const handle = async (request: http.IncomingMessage, recorded: RecordedRequest, body: string) => {
    const parts = recorded.path.split("/").filter(Boolean);
    if (recorded.path === "/version")
      return { status: 200, body: { major: "1", minor: "31", gitVersion: "v1.31.0-fake" } };
    const core = parts[0] === "api";
    const apiVersion = core ? parts[1] : `${parts[1]}/${parts[2]}`;
    const rest = parts.slice(core ? 2 : 3);
    if (rest.length === 0) {
      const resources = RESOURCES.filter((r) => r.apiVersion === apiVersion).map((r) => ({
        name: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: ["get", "list", "patch", "delete"],
      }));
      if (resources.length === 0)
        throw new HttpError(404, "the server could not find the requested resource", "NotFound");
      return { status: 200, body: { kind: "APIResourceList", groupVersion: apiVersion, resources } };
    }
    const namespace = rest[0] === "namespaces" && rest.length > 2 ? rest[1] : undefined;
    const [resourceName, name, subresource] = namespace === undefined ? rest : rest.slice(2);
    const resource = RESOURCES.find((r) => r.apiVersion === apiVersion && r.name === resourceName);
    if (!resource) throw new HttpError(404, "the server could not find the requested resource", "NotFound");
    const notFound = () => new HttpError(404, `${resource.name} "${name}" not found`, "NotFound");
    const id = key(resource.kind, namespace, name ?? "");

    if (request.method === "GET" && name === undefined) {
      const items = [...store.values()]
        .filter(
          (o) => o.kind === resource.kind && (namespace === undefined || o.metadata.namespace === namespace),
        )
        .filter((o) => matches(o, recorded.query["labelSelector"] ?? ""))
        .map(({ apiVersion: _a, kind: _k, ...item }) => item);
      return {
        status: 200,
        body: {
          kind: `${resource.kind}List`,
          apiVersion,
          metadata: { resourceVersion: String(version) },
          items,
        },
      };
    }
    if (name === undefined)
      throw new HttpError(405, `${request.method} needs an object name`, "MethodNotAllowed");
    if (request.method === "GET" && subresource === "log") {
      const text = logs.get(id);
      if (text === undefined) throw notFound();
      const lines = Number(recorded.query["tailLines"] ?? "0");
      return {
        status: 200,
        text: lines > 0 ? text.split("\n").filter(Boolean).slice(-lines).join("\n") : text,
      };
    }
    if (request.method === "GET") {
      const found = store.get(id);
      if (!found) throw notFound();
      return { status: 200, body: found };
    }
    if (request.method === "DELETE") {
      if (!store.delete(id)) throw notFound();
      if (resource.kind === "Deployment") {
        for (const pod of podsOf(namespace, name)) store.delete(key("Pod", namespace, pod.metadata.name));
      }
      return { status: 200, body: { kind: "Status", apiVersion: "v1", status: "Success" } };
    }
    if (request.method === "PATCH") {
      if (recorded.contentType !== "application/apply-patch+yaml") {
        throw new HttpError(
          415,
          `the fake only implements server-side apply, not ${recorded.contentType}`,
          "UnsupportedMediaType",
        );
      }
      // The real server requires a field manager for apply patches.
      if (!recorded.fieldManager)
        throw new HttpError(422, "fieldManager: Required value: is required for apply patch", "Invalid");
      return apply(resource, namespace, name, parse(body) as FakeObject);
    }
    throw new HttpError(405, `${request.method} is not implemented by the fake`, "MethodNotAllowed");
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://fake");
    const query = Object.fromEntries(url.searchParams);
    const recorded: RecordedRequest = {
      method: request.method ?? "GET",
      path: url.pathname,
      query,
      contentType: request.headers["content-type"],
      fieldManager: query["fieldManager"],
      authorization: request.headers.authorization,
    };
    requests.push(recorded);
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const send = (status: number, body: unknown, text?: string) => {
        response.writeHead(status, {
          "content-type": text === undefined ? "application/json" : "text/plain",
        });
        response.end(text ?? JSON.stringify(body));
      };
      const refused = rejecter(recorded);
      if (refused) {
        send(refused.status, status(refused.status, refused.message, "Refused"));
        return;
      }
      handle(request, recorded, Buffer.concat(chunks).toString("utf8")).then(
        (answer) =>
          send(
            answer.status,
            "body" in answer ? answer.body : undefined,
            "text" in answer ? answer.text : undefined,
          ),
        (error: unknown) => {
          if (error instanceof HttpError)
            send(error.status, status(error.status, error.message, error.reason));
          else send(500, status(500, String(error), "InternalError"));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    get: (kind, namespace, name) => store.get(key(kind, namespace, name)),
    list: (kind) => [...store.values()].filter((o) => o.kind === kind),
    failImagesContaining: (marker) => void failing.add(marker),
    reject: (when) => {
      rejecter = when;
    },
    async writeKubeconfig(dir, { context = "fake" } = {}) {
      const file = path.join(dir, "kubeconfig");
      const config = {
        apiVersion: "v1",
        kind: "Config",
        // Plain HTTP is only accepted by the client with TLS verification off.
        clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
        users: [{ name: "fake-user", user: { token: "fake-token" } }],
        contexts: [{ name: context, context: { cluster: "fake", user: "fake-user", namespace: "default" } }],
        "current-context": context,
      };
      await writeFile(file, JSON.stringify(config, null, 2));
      return file;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: { name: string; image: string }[] };
}

function status(code: number, message: string, reason: string) {
  return { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code };
}

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b` and `a` (exists), comma-separated. */
function matches(object: FakeObject, selector: string): boolean {
  const labels = (object.metadata["labels"] ?? {}) as Record<string, string>;
  return selector
    .split(",")
    .filter(Boolean)
    .every((term) => {
      const [, label, op, value] = /^([^!=]+)(!=|==|=)?(.*)$/.exec(term.trim()) ?? [];
      if (label === undefined) return false;
      if (op === undefined) return label in labels;
      return op === "!=" ? labels[label] !== value : labels[label] === value;
    });
}
