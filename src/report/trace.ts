/**
 * Timing spans for every step of every command. A span is plain data; the tracer only records.
 * Reports (summary table, --json, a Chrome trace file) are built from the recorded spans.
 */

export interface Span {
  name: string;
  /** Which service or other subject the step belongs to, if any. */
  subject?: string;
  /** Milliseconds since the tracer started. */
  start: number;
  duration: number;
  /** Small facts shown with the span (sizes, counts); never credentials. */
  attrs?: Record<string, string | number | boolean>;
}

export interface Tracer {
  /** Time `fn` as a span. The span is recorded even when `fn` throws. */
  span<T>(
    name: string,
    fn: () => Promise<T>,
    options?: { subject?: string; attrs?: Record<string, string | number | boolean> },
  ): Promise<T>;
  /** Record a span measured elsewhere (e.g. inside a child process). */
  record(span: Span): void;
  spans(): readonly Span[];
  /** Milliseconds since the tracer was created. */
  now(): number;
}

/** A tracer on a monotonic clock; `clock` is injectable for tests. */
export function createTracer(clock: () => number = () => performance.now()): Tracer {
  const origin = clock();
  const recorded: Span[] = [];
  const now = () => clock() - origin;
  return {
    now,
    spans: () => recorded,
    record: (span) => {
      recorded.push(span);
    },
    async span(name, fn, options = {}) {
      const start = now();
      try {
        return await fn();
      } finally {
        const span: Span = { name, start, duration: now() - start };
        if (options.subject !== undefined) span.subject = options.subject;
        if (options.attrs !== undefined) span.attrs = options.attrs;
        recorded.push(span);
      }
    },
  };
}

/** Total milliseconds per step name for one subject (several spans of one name add up). */
export function durationsBySubject(spans: readonly Span[], subject: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const span of spans) {
    if (span.subject !== subject) continue;
    out[span.name] = (out[span.name] ?? 0) + span.duration;
  }
  return out;
}
