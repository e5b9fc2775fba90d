/**
 * Drift: a field dray set on a deployed service that is no longer what dray set, because someone
 * changed it behind dray's back (`docker service scale`, `kubectl set env`, a container replaced
 * by hand). The report is the same for every target; each target reads its own objects into
 * OwnedFields (what dray set, what runs now) and `compareOwned` says what differs. Pure.
 */
import { compareCodeUnits } from "../oci/index.js";

/** One field of one service that differs on the target from what dray deployed. */
export interface Drift {
  readonly service: string;
  /** What differs: "image", "replicas", "env LOG_LEVEL", "ports", "restart", "networks", "state", "container"… */
  readonly field: string;
  /** As dray deployed it ("none" when dray set nothing there). */
  readonly deployed: string;
  /** As the target runs it now ("none" when it is gone). */
  readonly live: string;
  /** Who changed it, when the target knows (a Kubernetes field manager: "kubectl"). */
  readonly by?: string;
}

/**
 * The fields dray sets on a service and owns, in a form every target can fill in. Only the fields
 * present in what dray deployed are compared: a target leaves out what it does not set.
 */
export interface OwnedFields {
  /** The image reference the service runs ("registry/shop/api@sha256:…", "sha256:<config>"). */
  readonly image?: string;
  readonly replicas?: number;
  /** Environment variables set by the deploy (not the image's own). */
  readonly env?: Readonly<Record<string, string>>;
  /** Published ports, one string each ("127.0.0.1:18080:8080/tcp"). */
  readonly ports?: readonly string[];
  readonly restart?: string;
  readonly networks?: readonly string[];
}

const NONE = "none";

/**
 * Environment values of variables named like credentials are never shown (a drift report ends up
 * in CI logs); that they changed still is.
 */
const SECRET_NAME = /token|secret|passw(or)?d|credential|auth|cookie|private.?key|api.?key/i;

/** An environment variable's value for a report: "none" when unset, "(hidden)" for a credential. */
export function shownValue(
  name: string,
  value: string | undefined,
  quote: (value: string) => string = JSON.stringify,
): string {
  if (value === undefined) return NONE;
  return SECRET_NAME.test(name) ? "(hidden)" : quote(value);
}

function list(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? [...values].sort(compareCodeUnits).join(", ") : NONE;
}

/** What differs between what dray deployed and what runs, field by field, in a stable order. */
export function compareOwned(service: string, deployed: OwnedFields, live: OwnedFields): Drift[] {
  const drift: Drift[] = [];
  const add = (field: string, was: string, now: string) => {
    if (was !== now) drift.push({ service, field, deployed: was, live: now });
  };
  if (deployed.image !== undefined) add("image", deployed.image, live.image ?? NONE);
  if (deployed.replicas !== undefined)
    add("replicas", String(deployed.replicas), live.replicas === undefined ? NONE : String(live.replicas));
  if (deployed.env !== undefined) {
    const now = live.env ?? {};
    const names = [...new Set([...Object.keys(deployed.env), ...Object.keys(now)])].sort(compareCodeUnits);
    for (const name of names) {
      const was = deployed.env[name];
      const is = now[name];
      if (was !== is)
        drift.push({
          service,
          field: `env ${name}`,
          deployed: shownValue(name, was),
          live: shownValue(name, is),
        });
    }
  }
  if (deployed.ports !== undefined) add("ports", list(deployed.ports), list(live.ports));
  if (deployed.restart !== undefined) add("restart", deployed.restart, live.restart ?? NONE);
  if (deployed.networks !== undefined) add("networks", list(deployed.networks), list(live.networks));
  return drift;
}

/** "replicas 3 → 1", "env LOG_LEVEL \"debug\" → none (changed by kubectl)". */
export function formatDrift(drift: Drift): string {
  return `${drift.field} ${drift.deployed} → ${drift.live}${drift.by ? ` (changed by ${drift.by})` : ""}`;
}

/** The planner's reason for redeploying a drifted service: "drifted: replicas 3 → 1, …". */
export function driftReason(drift: readonly Drift[]): `drifted: ${string}` {
  return `drifted: ${drift.map(formatDrift).join(", ")}`;
}

/**
 * The record of what dray set, as stored in a label: only the fields of the expected types are
 * kept, so a label edited by hand cannot make dray compare nonsense. Undefined when it is not JSON.
 */
export function parseOwned(text: string | undefined): OwnedFields | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const { image, replicas, env, ports, restart, networks } = parsed as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");
  const envOk =
    typeof env === "object" &&
    env !== null &&
    !Array.isArray(env) &&
    Object.values(env).every((v) => typeof v === "string");
  return {
    ...(typeof image === "string" ? { image } : {}),
    ...(typeof replicas === "number" ? { replicas } : {}),
    ...(envOk ? { env: env as Record<string, string> } : {}),
    ...(strings(ports) ? { ports } : {}),
    ...(typeof restart === "string" ? { restart } : {}),
    ...(strings(networks) ? { networks } : {}),
  };
}
