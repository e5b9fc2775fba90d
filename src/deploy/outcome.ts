/** What a deploy reports for one service, and the context that times each of its steps into it. */
import type { Tracer } from "../report/index.js";
import type { ApplyContext, DeployAction } from "./types.js";

/** What happened to one service. */
export interface ServiceOutcome {
  service: string;
  action: DeployAction["kind"];
  reasons: readonly string[];
  /** Image ID before and after (undefined when there was none / it is removed). */
  from: string | undefined;
  to: string | undefined;
  status: "planned" | "done" | "unchanged" | "failed" | "not started";
  /** Why it failed, or why it was not started (a dependency failed or is not running). */
  error?: unknown;
  /** Milliseconds per step: image, create, start, health, remove old… */
  steps: Record<string, number>;
  ms: number;
}

/** The context a target applies actions with: each step is a trace span and adds its time to the service's report. */
export function reportingContext(
  signal: AbortSignal,
  log: ApplyContext["log"],
  tracer: Tracer,
  reports: Map<string, ServiceOutcome>,
): ApplyContext {
  return {
    signal,
    log,
    async step(service, name, fn) {
      const begin = tracer.now();
      try {
        return await tracer.span(name, fn, { subject: service });
      } finally {
        const report = reports.get(service);
        if (report) report.steps[name] = (report.steps[name] ?? 0) + (tracer.now() - begin);
      }
    },
  };
}
