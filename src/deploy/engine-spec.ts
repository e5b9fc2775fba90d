/**
 * What a Docker container and a Swarm task have in common in their engine specs: the labels that
 * carry a service's identity, the environment list, and the engine-run healthcheck.
 */
import type { HealthCheck } from "../config/index.js";
import { type DesiredService, LABELS } from "./types.js";

/** Docker durations are nanoseconds. */
export const NS_PER_MS = 1_000_000;

/** The labels that make a service's identity readable back from the engine. */
export function identityLabels(desired: DesiredService): Record<string, string> {
  return {
    [LABELS.project]: desired.spec.project,
    [LABELS.service]: desired.name,
    [LABELS.imageId]: desired.imageId,
    [LABELS.specDigest]: desired.specDigest,
  };
}

/** `KEY=value` lines, as the Engine API takes environment variables. */
export function envList(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/** The variables of `KEY=value` lines, as the engine reports a container's environment. */
export function parseEnvList(lines: readonly string[] | null | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines ?? []) {
    const at = line.indexOf("=");
    if (at < 0) env[line] = "";
    else env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** A `health.command` as the engine runs it (Docker HEALTHCHECK); none without a command. */
export function engineHealthcheck(
  health: HealthCheck | undefined,
): { Healthcheck: Record<string, unknown> } | undefined {
  if (!health?.command) return undefined;
  return {
    Healthcheck: {
      Test: ["CMD", ...health.command],
      Interval: health.intervalMs * NS_PER_MS,
      Timeout: Math.max(health.intervalMs, 1000) * NS_PER_MS,
      Retries: 3,
      StartPeriod: 0,
    },
  };
}
