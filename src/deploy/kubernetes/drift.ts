/**
 * Drift: a field dray applied whose live value is no longer what dray applied — `kubectl scale`,
 * `kubectl set env`, an edit by hand. What dray applied is in the Deployment's `dray.dev/applied`
 * annotation; who owns what is in `metadata.managedFields`
 * (https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management). When
 * another client changes a field dray applied, the server moves that field from dray's Apply entry
 * to the other manager's, so a field that differs and that dray still owns is only the server's
 * normal form of dray's value (`1000m` for `1`), not drift; one dray no longer owns is drift, and
 * its new owner says who changed it. Without managed fields every difference counts. Each field
 * becomes the Drift every target reports (../drift.ts). Pure.
 */
import { type Drift, shownValue } from "../drift.js";
import { KUBE_KEYS, type KubeObject } from "./objects.js";

/** One drifted field of one object, as managed fields tell it; `asDrift` makes it the deploy stage's Drift. */
export interface FieldDrift {
  /** "replicas", "containers[api].env[V]". */
  readonly field: string;
  readonly applied: unknown;
  /** undefined: the field is gone. */
  readonly live: unknown;
  /** The field manager that owns the field now ("kubectl"), when the server says. */
  readonly changedBy: string | undefined;
}

interface ManagedEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly time?: string;
  readonly fieldsV1?: Record<string, unknown>;
}

type Step = { readonly field: string } | { readonly item: Record<string, unknown> };

/** Lists of objects are matched by these fields, in this order of preference (Kubernetes merge keys). */
const ITEM_KEYS = [
  ["name"],
  ["containerPort", "protocol"],
  ["port", "protocol"],
  ["mountPath"],
  ["devicePath"],
  ["ip"],
];

/** The drifted fields of a live object, against what dray applied for it; `manager` is dray's field manager. */
export function objectDrift(live: KubeObject, applied: KubeObject, manager: string): FieldDrift[] {
  const entries = (live.metadata["managedFields"] as ManagedEntry[] | undefined) ?? [];
  const ours = entries.find((e) => e.manager === manager && e.operation === "Apply")?.fieldsV1;
  const others = entries
    .filter((e) => !(e.manager === manager && e.operation === "Apply"))
    .sort((a, b) => String(b.time ?? "").localeCompare(String(a.time ?? "")));
  const drifts: FieldDrift[] = [];
  const visit = (want: unknown, have: unknown, steps: Step[]): void => {
    if (Array.isArray(want)) {
      const keys = itemKeys(want);
      if (!keys || !Array.isArray(have)) {
        leaf(want, have, steps);
        return;
      }
      for (const item of want as Record<string, unknown>[]) {
        const key = Object.fromEntries(keys.map((k) => [k, item[k]]));
        const match = (have as unknown[]).find(
          (h) => isRecord(h) && keys.every((k) => same(h[k], item[k], k)),
        );
        if (match === undefined) leaf(item, undefined, [...steps, { item: key }]);
        else visit(item, match, [...steps, { item: key }]);
      }
      return;
    }
    if (isRecord(want) && Object.keys(want).length > 0) {
      for (const [field, value] of Object.entries(want))
        visit(value, isRecord(have) ? have[field] : undefined, [...steps, { field }]);
      return;
    }
    leaf(want, have, steps);
  };
  const leaf = (want: unknown, have: unknown, steps: Step[]) => {
    if (same(want, have)) return;
    // Ours still: the server's own spelling of our value (managed fields move on every change).
    if (ours && owns(ours, steps)) return;
    const owner = others.find((e) => e.fieldsV1 && owns(e.fieldsV1, steps))?.manager;
    drifts.push({ field: fieldName(steps), applied: want, live: have, changedBy: owner });
  };
  visit(applied["spec"], live["spec"], [{ field: "spec" }]);
  return drifts;
}

/** The drift of a Deployment dray applied, from its own annotation; [] when it has none. */
export function deploymentDrift(live: KubeObject, manager: string): FieldDrift[] {
  const record = live.metadata.annotations?.[KUBE_KEYS.applied];
  if (record === undefined) return [];
  let objects: KubeObject[];
  try {
    objects = JSON.parse(record) as KubeObject[];
  } catch {
    return [];
  }
  const applied = objects.find((o) => o.kind === live.kind && o.metadata?.name === live.metadata.name);
  return applied ? objectDrift(live, applied, manager) : [];
}

/**
 * A drifted field of `service` as every target reports it (formatDrift: "replicas 3 → 1 (changed
 * by kubectl)"). A value that is gone is "none"; an env variable named like a credential is hidden.
 */
export function asDrift(service: string, drift: FieldDrift): Drift {
  const env = /\.env\[([^\]]+)\]$/.exec(drift.field)?.[1];
  const show = (value: unknown): string => {
    const text = value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
    if (env === undefined || text === undefined) return text ?? "none";
    return shownValue(env, text, (t) => t);
  };
  return {
    service,
    field: drift.field,
    deployed: show(drift.applied),
    live: show(drift.live),
    ...(drift.changedBy ? { by: drift.changedBy } : {}),
  };
}

/** Walks a fieldsV1 tree along `steps`; true when it reaches them or an atomic owner of a prefix. */
function owns(fields: Record<string, unknown>, steps: readonly Step[]): boolean {
  let node: unknown = fields;
  for (const step of steps) {
    if (!isRecord(node)) return false;
    if (Object.keys(node).length === 0) return true;
    if ("field" in step) node = node[`f:${step.field}`];
    else {
      const found = Object.keys(node).find((key) => {
        if (!key.startsWith("k:")) return false;
        try {
          const k = JSON.parse(key.slice(2)) as Record<string, unknown>;
          return Object.entries(step.item).every(
            ([name, value]) => value === undefined || same(k[name], value, name),
          );
        } catch {
          return false;
        }
      });
      node = found === undefined ? undefined : node[found];
    }
  }
  return isRecord(node);
}

function itemKeys(list: readonly unknown[]): string[] | undefined {
  if (list.length === 0 || !list.every(isRecord)) return undefined;
  return ITEM_KEYS.find((keys) =>
    (list as Record<string, unknown>[]).every((item) => item[keys[0]!] !== undefined),
  );
}

/** Equal as the API compares them; a missing protocol is TCP, and numbers and strings of one value match. */
function same(a: unknown, b: unknown, key?: string): boolean {
  if (key === "protocol") return (a ?? "TCP") === (b ?? "TCP");
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
    return a === b || (a !== undefined && b !== undefined && String(a) === String(b));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/** "replicas", "containers[api].image", "containers[api].env[V]". */
function fieldName(steps: readonly Step[]): string {
  const parts: string[] = [];
  for (const step of steps) {
    if ("item" in step) {
      parts[parts.length - 1] += `[${Object.values(step.item)
        .filter((v) => v !== undefined)
        .join("/")}]`;
    } else parts.push(step.field);
  }
  let name = parts
    .join(".")
    .replace(/^spec\./, "")
    .replace(/^template\.spec\./, "");
  // An env variable's value is the variable.
  name = name.replace(/(env\[[^\]]+\])\.value$/, "$1");
  return name;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
