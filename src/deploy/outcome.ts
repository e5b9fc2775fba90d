/** What a deploy reports for one service. */
import type { DeployAction } from "./types.js";

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
