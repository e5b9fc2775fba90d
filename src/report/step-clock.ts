/**
 * Per-step times of one subject ("api linux/amd64"), returned to the caller directly: each step is
 * still a span in the trace (for --trace and the summary), and its duration adds to a total the
 * caller reads back, so no report has to search the trace for span names.
 */
import type { Tracer } from "./trace.js";

/** Times the named steps of one subject. */
export interface StepClock<S extends string> {
  /** Run `fn` as step `step`: a span in the trace, added to the step's total. */
  time<T>(step: S, fn: () => Promise<T>): Promise<T>;
  /** Add time measured elsewhere (a compile shared by a batch of services). */
  add(step: S, ms: number): void;
  /** Milliseconds per step so far; steps never run are 0. */
  totals(): Record<S, number>;
}

/** A clock for `steps` of `subject` (none: steps of the whole run), recording spans on `tracer`. */
export function createStepClock<S extends string>(
  tracer: Tracer,
  subject: string | undefined,
  steps: readonly S[],
): StepClock<S> {
  const totals = Object.fromEntries(steps.map((step) => [step, 0])) as Record<S, number>;
  return {
    async time(step, fn) {
      const started = tracer.now();
      try {
        return await tracer.span(step, fn, subject === undefined ? {} : { subject });
      } finally {
        totals[step] += tracer.now() - started;
      }
    },
    add(step, ms) {
      totals[step] += ms;
    },
    totals: () => ({ ...totals }),
  };
}
