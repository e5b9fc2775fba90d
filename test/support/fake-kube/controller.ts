/**
 * TEST FAKE support: a pretend Deployment and ReplicaSet controller. After a Deployment's spec
 * changes it makes the template's ReplicaSet and, `delay` later, one of four outcomes:
 * - the namespace enforces Pod Security `restricted` and the template violates it: no pod is
 *   created; the ReplicaSet and the Deployment get the real controllers' condition
 *   `{"type":"ReplicaFailure","status":"True","reason":"FailedCreate","message":"pods \"api-…\" is forbidden: violates PodSecurity …"}`,
 *   the ReplicaSet a `Warning FailedCreate` Event `Error creating: pods "api-…" is forbidden: …`,
 *   and the rollout ends with ProgressDeadlineExceeded only after `progressDeadlineSeconds`;
 * - an image the test marked as crashing: a not-ready pod in CrashLoopBackOff (last exit code 2)
 *   with log lines, a `Warning BackOff` Event, and ProgressDeadlineExceeded at once;
 * - an image the test marked as unpullable: a pod waiting in ImagePullBackOff, a `Warning Failed`
 *   Event, no logs (the real server answers 400 "… is waiting to start"), ProgressDeadlineExceeded;
 * - otherwise every replica becomes available.
 */
import { createHash, randomUUID } from "node:crypto";
import { podSecurityMessage, restrictedBy, restrictedViolations } from "./pod-security.js";

export type FakeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** What the controller shares with the server. */
export interface FakeState {
  readonly store: Map<string, FakeObject>;
  /** Pod logs by key; a pod with an entry of `undefined` is waiting to start. */
  readonly logs: Map<string, string>;
  readonly crashing: Set<string>;
  readonly unpullable: Set<string>;
  key(kind: string, namespace: string | undefined, name: string): string;
  later(fn: () => void, ms?: number): void;
  nextVersion(): string;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers?: { name: string; image: string }[] };
}

/** Starts the rollout of `deployment`'s current generation. */
export function rollOut(state: FakeState, deployment: FakeObject): void {
  const namespace = deployment.metadata.namespace;
  const name = deployment.metadata.name;
  const generation = deployment.metadata["generation"] as number;
  const spec = deployment["spec"] as {
    replicas?: number;
    template?: PodTemplate;
    progressDeadlineSeconds?: number;
  };
  const template = spec.template ?? {};
  const hash = createHash("sha256").update(JSON.stringify(template)).digest("hex").slice(0, 10);
  const replicaSet = ensureReplicaSet(state, deployment, template, hash);
  state.later(() => {
    const current = state.store.get(state.key("Deployment", namespace, name));
    if (!current || current.metadata["generation"] !== generation) return;
    const replicas = spec.replicas ?? 1;
    const images = (template.spec?.containers ?? []).map((c) => c.image);
    const previous = (current["status"] ?? {}) as { availableReplicas?: number };
    for (const pod of podsOf(state, namespace, name))
      state.store.delete(state.key("Pod", namespace, pod.metadata.name));
    const nsLabels = (state.store.get(state.key("Namespace", undefined, namespace ?? ""))?.metadata[
      "labels"
    ] ?? {}) as Record<string, string>;
    const violations = restrictedBy(nsLabels, "enforce") ? restrictedViolations(template.spec ?? {}) : [];
    const marked = (set: Set<string>) =>
      images.some((image) => [...set].some((marker) => image.includes(marker)));
    if (violations.length > 0) {
      const pod = `${replicaSet.metadata.name}-${randomUUID().slice(0, 5)}`;
      const message = `pods "${pod}" is forbidden: ${podSecurityMessage(violations)}`;
      const failure = { type: "ReplicaFailure", status: "True", reason: "FailedCreate", message };
      replicaSet["status"] = { replicas: 0, observedGeneration: 1, conditions: [failure] };
      addEvent(state, replicaSet, "FailedCreate", `Error creating: ${message}`);
      current["status"] = {
        observedGeneration: generation,
        replicas: previous.availableReplicas ?? 0,
        updatedReplicas: 0,
        availableReplicas: previous.availableReplicas ?? 0,
        conditions: [
          { type: "Available", status: previous.availableReplicas ? "True" : "False" },
          { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
          failure,
        ],
      };
      const deadline = (spec.progressDeadlineSeconds ?? 600) * 1000;
      state.later(() => {
        const now = state.store.get(state.key("Deployment", namespace, name));
        if (!now || now.metadata["generation"] !== generation) return;
        const status = now["status"] as { conditions: { type: string }[] };
        status.conditions = status.conditions.map((c) =>
          c.type === "Progressing"
            ? { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }
            : c,
        );
      }, deadline);
    } else if (marked(state.crashing) || marked(state.unpullable)) {
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
      addFailingPod(state, current, replicaSet, template, images, marked(state.unpullable));
    } else {
      current["status"] = {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        conditions: [
          { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
          {
            type: "Progressing",
            status: "True",
            reason: "NewReplicaSetAvailable",
            lastUpdateTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
        ],
      };
    }
  });
}

/** The pods the controller made for a Deployment. */
export function podsOf(state: FakeState, namespace: string | undefined, deployment: string): FakeObject[] {
  return [...state.store.values()].filter(
    (o) => o.kind === "Pod" && o.metadata.namespace === namespace && o.metadata["ownerName"] === deployment,
  );
}

function ensureReplicaSet(
  state: FakeState,
  deployment: FakeObject,
  template: PodTemplate,
  hash: string,
): FakeObject {
  const namespace = deployment.metadata.namespace;
  const name = `${deployment.metadata.name}-${hash}`;
  const id = state.key("ReplicaSet", namespace, name);
  const existing = state.store.get(id);
  if (existing) return existing;
  const replicaSet: FakeObject = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      resourceVersion: state.nextVersion(),
      labels: { ...template.metadata?.labels, "pod-template-hash": hash },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: deployment.metadata.name,
          uid: deployment.metadata["uid"],
          controller: true,
        },
      ],
      creationTimestamp: new Date().toISOString(),
    },
    spec: { template },
    status: { replicas: 0 },
  };
  state.store.set(id, replicaSet);
  return replicaSet;
}

function addFailingPod(
  state: FakeState,
  deployment: FakeObject,
  replicaSet: FakeObject,
  template: PodTemplate,
  images: string[],
  unpullable: boolean,
): void {
  const name = `${replicaSet.metadata.name}-${randomUUID().slice(0, 5)}`;
  const namespace = deployment.metadata.namespace;
  const container = template.spec?.containers?.[0]?.name ?? "main";
  const pod: FakeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      labels: template.metadata?.labels ?? {},
      ownerName: deployment.metadata.name,
      creationTimestamp: new Date().toISOString(),
    },
    spec: { containers: template.spec?.containers ?? [] },
    status: {
      phase: unpullable ? "Pending" : "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        unpullable
          ? {
              name: container,
              ready: false,
              restartCount: 0,
              state: {
                waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${images[0]}"` },
              },
            }
          : {
              name: container,
              ready: false,
              restartCount: 3,
              state: {
                waiting: {
                  reason: "CrashLoopBackOff",
                  message: `back-off 40s restarting failed container=${container} pod=${name}_${namespace}(${String(deployment.metadata["uid"])})`,
                },
              },
              lastState: { terminated: { exitCode: 2, reason: "Error" } },
            },
      ],
    },
  };
  state.store.set(state.key("Pod", namespace, name), pod);
  if (unpullable) {
    addEvent(
      state,
      pod,
      "Failed",
      `Failed to pull image "${images[0]}": rpc error: code = NotFound desc = failed to pull and unpack image "${images[0]}": not found`,
    );
  } else {
    state.logs.set(
      state.key("Pod", namespace, name),
      `starting ${images.join(" ")}\npanic: fake failure for this image\n`,
    );
    addEvent(
      state,
      pod,
      "BackOff",
      `Back-off restarting failed container ${container} in pod ${name}_${namespace}(${String(pod.metadata["uid"])})`,
    );
  }
}

function addEvent(state: FakeState, about: FakeObject, reason: string, message: string): void {
  const namespace = about.metadata.namespace;
  const name = `${about.metadata.name}.${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  state.store.set(state.key("Event", namespace, name), {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace, resourceVersion: state.nextVersion() },
    involvedObject: {
      kind: about.kind,
      namespace,
      name: about.metadata.name,
      uid: about.metadata["uid"],
      apiVersion: about.apiVersion,
    },
    reason,
    message,
    type: "Warning",
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
    source: { component: about.kind === "Pod" ? "kubelet" : "replicaset-controller" },
  });
}
