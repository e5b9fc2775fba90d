/**
 * What `dray dev` reports while it runs: the terminal UI and the web dashboard both render these
 * events, and nothing else, so they always agree. Times are milliseconds; `at` is since the epoch.
 */

/** Where a service is in the dev loop. */
export type ServiceStatus = "building" | "deploying" | "updating" | "ready" | "failed";

/** One service as the dashboard lists it. */
export interface ServiceState {
  readonly service: string;
  readonly status: ServiceStatus;
  /** The image ID the running container was deployed from (a live update keeps it). */
  readonly imageId: string | undefined;
  readonly containerId: string | undefined;
  /** When the last update finished, successful or not. */
  readonly lastUpdateAt: number | undefined;
  /** Why the service is failed: the compiler's message, a health check's answer. */
  readonly error: string | undefined;
}

/** One step of an update: detect, compile, copy, restart, ready — or build and deploy for a rebuild. */
export interface UpdateStep {
  readonly name: string;
  readonly ms: number;
}

/** One update of one service, from the file change that caused it to its first healthy answer. */
export interface UpdateRecord {
  readonly id: number;
  readonly service: string;
  /** "live": compiled and copied into the running container; "rebuild": new image and redeploy. */
  readonly kind: "live" | "rebuild";
  /** Why: the changed files, or why a live update could not cover them. */
  readonly reason: string;
  readonly at: number;
  readonly steps: readonly UpdateStep[];
  /** Edit → ready. */
  readonly totalMs: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** A line a service's container wrote. */
export interface LogLine {
  readonly service: string;
  readonly stream: "stdout" | "stderr";
  readonly line: string;
  readonly at: number;
}

export type DevEvent =
  | { readonly type: "service"; readonly state: ServiceState }
  | { readonly type: "update"; readonly update: UpdateRecord }
  | { readonly type: "log"; readonly log: LogLine };

/** Everything known so far: what a page that connects late is sent first. */
export interface DevSnapshot {
  readonly project: string;
  readonly services: readonly ServiceState[];
  /** Oldest first, bounded. */
  readonly updates: readonly UpdateRecord[];
  /** The last lines per service, oldest first, bounded. */
  readonly logs: readonly LogLine[];
}

/**
 * The dashboard's event stream: each server-sent event's name and the JSON its `data:` line
 * carries. The server writes it and the page's script reads it through this one map.
 */
export interface DevStreamEvents {
  readonly snapshot: DevSnapshot;
  readonly service: ServiceState;
  readonly update: UpdateRecord;
  readonly log: LogLine;
}

/** The dev loop's side of the dashboard: read state, follow events, ask for a rebuild. */
export interface DevSession {
  snapshot(): DevSnapshot;
  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: DevEvent) => void): () => void;
  /** The dashboard's "rebuild" button: a full rebuild and redeploy of one service. */
  requestRebuild(service: string): void;
}
