/**
 * The kubernetes target's deploy lock: a coordination.k8s.io/v1 Lease named `dray-deploy-<project>`
 * in the target's namespace (https://kubernetes.io/docs/concepts/architecture/leases/), one
 * TargetLock (../target-lock.ts: the waiting, heartbeat and takeover are there). Creating a Lease
 * whose name exists fails with 409 AlreadyExists, so of two deployers exactly one creates it; one
 * that finds the Lease there does not even try. The
 * holder is recorded whole in an annotation and, readable by `kubectl get lease`, as
 * `spec.holderIdentity` ("ci@runner-7 pid 4242"). A renewal is a PUT at the resourceVersion read,
 * moving `spec.renewTime`; a removal is a DELETE with the Lease's UID as a precondition, so that a
 * Lease another deployer took over (a new object, a new UID) is never removed. The API server sets
 * no time of its own on a Lease: its times are this machine's clock, and so is `now()`.
 */
import { RemoteError } from "../../errors/index.js";
import { type LockHolder, parseHolder } from "../lock-holder.js";
import type { LockState, TargetLock } from "../target-lock.js";
import { responseError } from "./api-errors.js";
import type { Answer, KubeApi, Method } from "./kube-api.js";

/** The annotation that holds the LockHolder record, as JSON. */
export const LEASE_HOLDER = "dray.dev/lock-holder";

/** A Lease as dray reads and writes it. */
interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
  };
}

/** The Lease dray takes for `project`. */
export function leaseName(project: string): string {
  return `dray-deploy-${project}`;
}

/**
 * `project`'s deploy lock in `namespace`. `ttlSeconds` is written as the Lease's
 * leaseDurationSeconds, for people and other tools; dray judges expiry by its own TTL.
 * `before` runs before the first write (the kubernetes target's permission checks).
 */
export function leaseLock(
  api: KubeApi,
  namespace: string,
  project: string,
  options: { ttlSeconds?: number; before?: () => Promise<void> } = {},
): TargetLock {
  const name = leaseName(project);
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  const now = () => Date.now();

  const send = async (method: Method, at: string, body: unknown, ok: number[]): Promise<Answer> => {
    const answer = await api.send(method, at, body === undefined ? {} : { body });
    if (answer.status < 300 || ok.includes(answer.status)) return answer;
    throw responseError(api.source, method, at, answer.status, parse(answer.text) ?? answer.text);
  };
  const get = async (): Promise<Lease | undefined> => {
    const answer = await send("GET", path, undefined, [404]);
    return answer.status === 404 ? undefined : leaseOf(answer);
  };
  const remove = async (uid: string) => {
    // 404: already gone; 409: the precondition failed — the Lease is someone else's now.
    await send(
      "DELETE",
      path,
      { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid } },
      [404, 409],
    );
  };

  return {
    where: `Lease ${name} in namespace ${namespace} on ${api.source.server}`,
    now,

    async create(holder) {
      // Looked for first, so that a deployer who finds the lock held makes no write at all.
      if (await get()) return undefined;
      await options.before?.();
      const time = microTime(now());
      const lease: Lease = {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name,
          namespace,
          labels: { "app.kubernetes.io/managed-by": "dray", "dray.dev/project": project },
          annotations: { [LEASE_HOLDER]: JSON.stringify(holder) },
        },
        spec: {
          holderIdentity: identity(holder),
          leaseDurationSeconds: options.ttlSeconds ?? 30,
          acquireTime: time,
          renewTime: time,
        },
      };
      const answer = await send("POST", collection, lease, [409]);
      if (answer.status === 409) return undefined;
      return uidOf(leaseOf(answer));
    },

    async read(): Promise<LockState | undefined> {
      const lease = await get();
      if (!lease) return undefined;
      const renewed = Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? "");
      return {
        id: uidOf(lease),
        holder: parseHolder(lease.metadata.annotations?.[LEASE_HOLDER]),
        // A Lease without a time (made by hand) has never been renewed.
        renewedAt: Number.isNaN(renewed) ? 0 : renewed,
      };
    },

    async renew(id) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const lease = await get();
        if (!lease || lease.metadata.uid !== id) return false;
        const renewed: Lease = { ...lease, spec: { ...lease.spec, renewTime: microTime(now()) } };
        // The resourceVersion read: a write in between (a takeover) makes this a 409, and we look again.
        const answer = await send("PUT", path, renewed, [404, 409]);
        if (answer.status === 404) return false;
        if (answer.status === 409) continue;
        const written = leaseOf(answer);
        if (written.metadata.uid === id) return true;
        // A Lease may be created by a PUT: ours was removed in between, and this one is not a lock.
        await remove(uidOf(written));
        return false;
      }
      throw new RemoteError(`could not renew the deploy lock ${name}: it kept changing while being renewed`, {
        retryable: true,
      });
    },

    async remove(id) {
      await remove(id);
    },
  };
}

/** "ci@runner-7 pid 4242": who holds the Lease, for `kubectl get lease`. */
function identity(holder: LockHolder): string {
  return `${holder.user}@${holder.host} pid ${holder.pid}`;
}

function leaseOf(answer: Answer): Lease {
  const lease = parse(answer.text) as Lease | undefined;
  if (!lease?.metadata)
    throw new Error(`internal: the API server answered a Lease request with ${answer.text}`);
  return lease;
}

function uidOf(lease: Lease): string {
  const uid = lease.metadata.uid;
  if (!uid) throw new Error(`internal: Lease ${lease.metadata.name} has no metadata.uid`);
  return uid;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A MicroTime: RFC 3339 with microseconds, as the Lease fields are typed. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
