/**
 * The deploy lock every deployer of a cluster sees: a coordination.k8s.io/v1 Lease per project
 * and namespace (https://kubernetes.io/docs/concepts/architecture/leases/), `dray-deploy-<project>`.
 * It is taken by creating it, or by updating it when it is free or expired — every update carries
 * the resourceVersion it read, so of two deployers racing only one succeeds (the other gets 409
 * Conflict and looks again). The holder renews it while it deploys and clears it at the end; a
 * holder that died leaves it to expire `leaseDurationSeconds` after its last renewal, when the next
 * deployer takes it over. Expiry is judged by this machine's clock against `renewTime`.
 */
import os from "node:os";
import { interruptedError, RemoteError, UserError } from "../../errors/index.js";
import type { KubeApi } from "./kube-api.js";

/** A Lease as dray reads and writes it. */
interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** How to take the lease. */
export interface LeaseOptions {
  readonly project: string;
  readonly namespace: string;
  /** How long to wait for another holder (0: fail at once, naming it). */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
  /** "user@host pid 123" by default. */
  readonly holder?: string;
  /** The command the holder runs, shown to whoever finds the lease taken. */
  readonly command?: string;
  readonly durationSeconds?: number;
  /** Between looks while waiting (default 1 s). */
  readonly pollMs?: number;
  readonly now?: () => number;
  /** Progress and trouble: waiting for a holder, a renewal that failed. */
  readonly log?: (line: string) => void;
}

/** A lease this process holds. */
export interface HeldLease {
  readonly holder: string;
  /** Stops renewing and clears the holder, so the next deployer need not wait for expiry. */
  release(): Promise<void>;
}

/** The lease dray takes for `project`. */
export function leaseName(project: string): string {
  return `dray-deploy-${project}`;
}

/** Takes the lease, waiting up to `waitMs` for another holder; renews it until released. */
export async function acquireLease(api: KubeApi, options: LeaseOptions): Promise<HeldLease> {
  const now = options.now ?? Date.now;
  const holder = options.holder ?? `${os.userInfo().username}@${os.hostname()} pid ${process.pid}`;
  const duration = options.durationSeconds ?? 30;
  const name = leaseName(options.project);
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(options.namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  const deadline = now() + options.waitMs;
  let said = false;
  for (;;) {
    if (options.signal?.aborted) throw interruptedError("no deploy started: the lock was not taken");
    const current = await read(api, path);
    const fresh: Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: {
        name,
        namespace: options.namespace,
        labels: { "app.kubernetes.io/managed-by": "dray", "dray.dev/project": options.project },
        annotations: { "dray.dev/command": options.command ?? process.argv.slice(2).join(" ") },
      },
      spec: {
        holderIdentity: holder,
        leaseDurationSeconds: duration,
        acquireTime: microTime(now()),
        renewTime: microTime(now()),
      },
    };
    if (current === undefined) {
      const created = await write(api, "POST", collection, {
        ...fresh,
        spec: { ...fresh.spec, leaseTransitions: 0 },
      });
      if (created) return renewing(api, path, created, holder, options);
      continue;
    }
    const spec = current.spec ?? {};
    if (!spec.holderIdentity || spec.holderIdentity === holder || expired(spec, now())) {
      const transitions =
        (spec.leaseTransitions ?? 0) + (spec.holderIdentity && spec.holderIdentity !== holder ? 1 : 0);
      const taken = await write(api, "PUT", path, {
        ...fresh,
        metadata: { ...fresh.metadata, resourceVersion: current.metadata.resourceVersion },
        spec: { ...fresh.spec, leaseTransitions: transitions },
      });
      if (taken) {
        if (spec.holderIdentity && spec.holderIdentity !== holder)
          options.log?.(`took over the expired deploy lock of ${spec.holderIdentity}`);
        return renewing(api, path, taken, holder, options);
      }
      continue;
    }
    const left = deadline - now();
    if (left <= 0) throw heldError(api, options, current);
    if (!said) options.log?.(`waiting for the deploy lock: ${describeHolder(current, now())}`);
    said = true;
    await sleep(Math.min(options.pollMs ?? 1000, left), options.signal);
  }
}

function renewing(api: KubeApi, path: string, held: Lease, holder: string, options: LeaseOptions): HeldLease {
  const now = options.now ?? Date.now;
  let lease = held;
  let lost = false;
  const renew = async () => {
    const next = await write(api, "PUT", path, {
      ...lease,
      spec: { ...lease.spec, renewTime: microTime(now()) },
    });
    if (next) {
      lease = next;
      return;
    }
    // Someone wrote the lease since our last write: still ours (a retried request), or taken over.
    const current = await read(api, path);
    if (current?.spec?.holderIdentity === holder) lease = current;
    else {
      lost = true;
      options.log?.(
        `lost the deploy lock to ${current?.spec?.holderIdentity ?? "nobody"}: it was not renewed in time`,
      );
    }
  };
  const every = ((lease.spec.leaseDurationSeconds ?? 30) * 1000) / 3;
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(renew).catch((error: unknown) => {
      options.log?.(`could not renew the deploy lock: ${(error as Error).message}`);
    });
    if (lost) clearInterval(timer);
  }, every);
  timer.unref();
  return {
    holder,
    async release() {
      clearInterval(timer);
      await pending;
      if (lost) return;
      const { holderIdentity: _h, acquireTime: _a, renewTime: _r, ...rest } = lease.spec;
      try {
        if (!(await write(api, "PUT", path, { ...lease, spec: rest }))) {
          const current = await read(api, path);
          if (current?.spec?.holderIdentity === holder)
            await write(api, "PUT", path, { ...current, spec: rest });
        }
      } catch (error) {
        options.log?.(
          `could not release the deploy lock (it expires by itself): ${(error as Error).message}`,
        );
      }
    },
  };
}

async function read(api: KubeApi, path: string): Promise<Lease | undefined> {
  try {
    return (await api.request("GET", path)) as Lease;
  } catch (error) {
    if (error instanceof RemoteError && error.status === 404) return undefined;
    throw error;
  }
}

/** Creates or updates the lease; undefined when another writer got there first (409). */
async function write(
  api: KubeApi,
  method: "POST" | "PUT",
  path: string,
  lease: Lease,
): Promise<Lease | undefined> {
  try {
    return (await api.request(method, path, { body: lease })) as Lease;
  } catch (error) {
    if (error instanceof RemoteError && error.status === 409) return undefined;
    throw error;
  }
}

function expired(spec: Lease["spec"], now: number): boolean {
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? "");
  if (Number.isNaN(renewed)) return true;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < now;
}

function describeHolder(lease: Lease, now: number): string {
  const spec = lease.spec ?? {};
  const command = lease.metadata.annotations?.["dray.dev/command"];
  const renewed = Date.parse(spec.renewTime ?? "");
  const ago = Number.isNaN(renewed)
    ? ""
    : `, renewed ${Math.max(0, Math.round((now - renewed) / 1000))}s ago`;
  return `${spec.holderIdentity}${command ? ` (\`dray ${command}\`)` : ""}, since ${spec.acquireTime ?? "?"}${ago}`;
}

function heldError(api: KubeApi, options: LeaseOptions, lease: Lease): UserError {
  const now = (options.now ?? Date.now)();
  return new UserError(
    `another deploy to namespace ${options.namespace} on ${api.source.server} holds the lock (Lease ${leaseName(options.project)}): ${describeHolder(lease, now)}`,
    {
      hint: `Wait for it to finish, or pass --lock-wait 5m to queue behind it. A deployer that died leaves the lock to expire ${lease.spec?.leaseDurationSeconds ?? 30}s after its last renewal.`,
    },
  );
}

/** A MicroTime: RFC 3339 with microseconds, as the Lease fields are typed. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
