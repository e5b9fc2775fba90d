/** Merging a base image's runtime config with dray's, the way `FROM base` + Dockerfile instructions would. */
import { compareBytes } from "./canonical-json.js";
import type { RuntimeConfig } from "./types.js";

/** The OCI fields dray carries over; anything else a base config has (Hostname, Image, Healthcheck…) is dropped. */
const FIELDS = [
  "User",
  "ExposedPorts",
  "Env",
  "Entrypoint",
  "Cmd",
  "Volumes",
  "WorkingDir",
  "Labels",
  "StopSignal",
] as const satisfies readonly (keyof RuntimeConfig)[];

/**
 * Base first, ours overriding field by field. Env is merged by variable name (ours wins) and sorted by
 * name; Labels, ExposedPorts and Volumes are merged as maps (canonicalJson sorts their keys). Setting
 * Entrypoint without Cmd drops the base's Cmd, as Docker does, so a base `Cmd: ["sh"]` never turns into
 * arguments of our program. Empty values are omitted, so `Cmd: []` clears the base's Cmd.
 */
export function mergeRuntimeConfig(base: RuntimeConfig | undefined, ours: RuntimeConfig): RuntimeConfig {
  const merged: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = mergeField(field, base ?? {}, ours);
    if (!isEmpty(value)) merged[field] = value;
  }
  return merged as RuntimeConfig;
}

function mergeField(field: (typeof FIELDS)[number], base: RuntimeConfig, ours: RuntimeConfig): unknown {
  switch (field) {
    case "Env":
      return mergeEnv(base.Env, ours.Env);
    case "Labels":
    case "ExposedPorts":
    case "Volumes":
      return { ...base[field], ...ours[field] };
    case "Cmd":
      if (ours.Cmd === undefined && ours.Entrypoint !== undefined) return undefined;
      return ours.Cmd ?? base.Cmd;
    default:
      return ours[field] ?? base[field];
  }
}

/** `KEY=value` lists merged by KEY (the text before the first "="), later wins, sorted by KEY bytewise. */
export function mergeEnv(...lists: (readonly string[] | undefined)[]): string[] {
  const byName = new Map<string, string>();
  for (const list of lists) {
    for (const item of list ?? []) {
      const eq = item.indexOf("=");
      byName.set(eq === -1 ? item : item.slice(0, eq), item);
    }
  }
  return [...byName.entries()].sort(([a], [b]) => compareBytes(a, b)).map(([, item]) => item);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}
