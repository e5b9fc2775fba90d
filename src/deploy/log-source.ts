/**
 * Reading services' logs from a target (`dray logs`): one interface the docker, swarm and
 * kubernetes readers share. A service's log comes from one or more sources — its container, its
 * swarm tasks, its Deployment's pods — each named by the service, or "service.N" when it runs
 * several, so that lines can be told apart.
 */

/** One line of a service's log, and which of its sources wrote it. */
export interface LogRecord {
  /** "api", or "api.2" for one of several replicas. */
  readonly source: string;
  readonly stream: "stdout" | "stderr";
  readonly text: string;
}

/** What to read: from when, and whether to keep following. */
export interface LogRequest {
  readonly follow: boolean;
  /** Seconds since 1970; only lines written from then on. */
  readonly since: number | undefined;
  /** Aborted by Ctrl-C: every stream ends. */
  readonly signal: AbortSignal;
}

/** The log of one service on a target. */
export interface ServiceLog {
  readonly service: string;
  /** The source names known when it was opened (for aligning prefixes). */
  readonly sources: readonly string[];
  /** Emits every line until the log ends (its containers are gone, or without `follow`, read) or the request is aborted. */
  read(emit: (record: LogRecord) => void): Promise<void>;
}

/** A target opened for reading logs. */
export interface LogReader {
  /** The service's log, or undefined when the target does not run it. */
  open(service: string, request: LogRequest): Promise<ServiceLog | undefined>;
  close(): void;
}

/** Names sources "api" when there is one, "api.1", "api.2"… (in the order given) when there are several. */
export function sourceNames(service: string, count: number): string[] {
  return count === 1 ? [service] : Array.from({ length: count }, (_, i) => `${service}.${i + 1}`);
}

/** Reads `body` until it ends, or quietly stops when `signal` aborts (which destroys it). */
export async function untilAborted(signal: AbortSignal, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
