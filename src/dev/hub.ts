/**
 * The in-memory meeting point of the dev loop and its viewers: the loop writes service states,
 * updates and log lines in; the dashboard (and anything else that speaks `DevSession`) reads a
 * bounded snapshot and follows events. No I/O and no clock: everything arrives as plain data.
 */
import type { DevEvent, DevSession, DevSnapshot, LogLine, ServiceState, UpdateRecord } from "./events.js";

/** How much history a late viewer is sent. */
export interface DevHubOptions {
  /** Updates kept across all services, oldest dropped first. Default 200. */
  readonly maxUpdates?: number;
  /** Log lines kept per service, oldest dropped first. Default 200. */
  readonly maxLogLinesPerService?: number;
}

/** A `DevSession` plus the writing side that the dev loop calls. */
export interface DevHub extends DevSession {
  /** Adds or replaces a service (keyed by `state.service`); listed in the order first seen. */
  setService(state: ServiceState): void;
  addUpdate(update: UpdateRecord): void;
  addLog(log: LogLine): void;
  /** Called by `requestRebuild` for known services; returns a function that removes the handler. */
  onRebuild(handler: (service: string) => void): () => void;
  /**
   * Passes a rebuild request to the handlers. Returns false, and calls nothing, when no
   * `setService` has named `service` — a stale page must not make the loop build a stranger.
   */
  requestRebuild(service: string): boolean;
}

const defaultMaxUpdates = 200;
const defaultMaxLogLines = 200;

/** A hub for one `dray dev` session of `project`. */
export function createDevHub(project: string, options: DevHubOptions = {}): DevHub {
  const maxUpdates = positiveLimit("maxUpdates", options.maxUpdates ?? defaultMaxUpdates);
  const maxLogLines = positiveLimit(
    "maxLogLinesPerService",
    options.maxLogLinesPerService ?? defaultMaxLogLines,
  );

  const services = new Map<string, ServiceState>();
  const updates: UpdateRecord[] = [];
  // Logs are bounded per service so one chatty service cannot push the others out; the sequence
  // number restores the order they arrived in when the snapshot merges them.
  const logs = new Map<string, { seq: number; log: LogLine }[]>();
  let logSeq = 0;
  const listeners = new Set<(event: DevEvent) => void>();
  const rebuildHandlers = new Set<(service: string) => void>();

  function emit(event: DevEvent): void {
    // Copy first: a listener may unsubscribe (or subscribe another) while we iterate.
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A viewer that breaks (a page gone mid-write) must not stop the dev loop or the other
        // viewers; the loop is the one thing here that has to keep running.
      }
    }
  }

  return {
    snapshot(): DevSnapshot {
      const lines = [...logs.values()].flat().sort((a, b) => a.seq - b.seq);
      return {
        project,
        services: [...services.values()],
        updates: [...updates],
        logs: lines.map((entry) => entry.log),
      };
    },

    subscribe(listener) {
      // Wrapped so that the same function subscribed twice gets two independent subscriptions.
      const own = (event: DevEvent) => listener(event);
      listeners.add(own);
      return () => {
        listeners.delete(own);
      };
    },

    requestRebuild(service) {
      if (!services.has(service)) return false;
      for (const handler of [...rebuildHandlers]) handler(service);
      return true;
    },

    setService(state) {
      services.set(state.service, state);
      emit({ type: "service", state });
    },

    addUpdate(update) {
      updates.push(update);
      if (updates.length > maxUpdates) updates.splice(0, updates.length - maxUpdates);
      emit({ type: "update", update });
    },

    addLog(log) {
      let kept = logs.get(log.service);
      if (!kept) {
        kept = [];
        logs.set(log.service, kept);
      }
      kept.push({ seq: logSeq++, log });
      if (kept.length > maxLogLines) kept.splice(0, kept.length - maxLogLines);
      emit({ type: "log", log });
    },

    onRebuild(handler) {
      const own = (service: string) => handler(service);
      rebuildHandlers.add(own);
      return () => {
        rebuildHandlers.delete(own);
      };
    },
  };
}

function positiveLimit(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`createDevHub: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
