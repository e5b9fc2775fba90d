/**
 * TEST FAKE support: `metadata.managedFields` as a real API server keeps them for server-side
 * apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/#field-management).
 * An Apply by manager M records every field M sent (fieldsV1, `f:` for map keys, `k:{…}` for
 * list items by merge key, `.` for the item itself); fields whose value M changed are taken from
 * the other managers (force). An Update (PUT, merge or strategic-merge patch, the scale
 * subresource) by manager U moves every field whose value it changed to U; a request without
 * `fieldManager` is named after its User-Agent ("kubectl/v1.28.7 …" → "kubectl"). Entries left
 * with no field are dropped. apiVersion, kind, metadata.name/namespace and status are not tracked.
 * Real entry after `kubectl scale deployment api --replicas=1`:
 * `{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","time":"…","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{}}},"subresource":"scale"}`.
 */

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

type Leaves = Map<string, string>;

/** Lists merged by key, by field name; the rest are atomic (owned as a whole). */
function mergeKeys(field: string, item: Record<string, unknown>): string[] | undefined {
  if (
    ["containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets"].includes(
      field,
    )
  )
    return ["name"];
  if (field === "volumeMounts") return ["mountPath"];
  if (field === "ports")
    return "containerPort" in item ? ["containerPort", "protocol"] : ["port", "protocol"];
  return undefined;
}

/** Every tracked leaf of `object`: its path (JSON of fieldsV1 segments) → its value (JSON). */
export function leavesOf(object: Record<string, unknown>): Leaves {
  const leaves: Leaves = new Map();
  const walk = (value: unknown, path: string[], field: string): void => {
    if (Array.isArray(value)) {
      const keyed = value.every((item) => isRecord(item) && mergeKeys(field, item) !== undefined);
      if (!keyed || value.length === 0) {
        leaves.set(JSON.stringify(path), JSON.stringify(value));
        return;
      }
      for (const item of value as Record<string, unknown>[]) {
        const keys = [...mergeKeys(field, item)!].sort();
        const key = `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, item[k] ?? (k === "protocol" ? "TCP" : undefined)])))}`;
        leaves.set(JSON.stringify([...path, key, "."]), "{}");
        for (const [name, inner] of Object.entries(item)) walk(inner, [...path, key, `f:${name}`], name);
      }
      return;
    }
    if (isRecord(value) && Object.keys(value).length > 0) {
      for (const [name, inner] of Object.entries(value)) walk(inner, [...path, `f:${name}`], name);
      return;
    }
    leaves.set(JSON.stringify(path), JSON.stringify(value));
  };
  const { apiVersion: _a, kind: _k, status: _s, metadata, ...rest } = object;
  const {
    name: _n,
    namespace: _ns,
    managedFields: _m,
    resourceVersion: _r,
    uid: _u,
    generation: _g,
    creationTimestamp: _c,
    ...meta
  } = (metadata ?? {}) as Record<string, unknown>;
  if (Object.keys(meta).length > 0) walk(meta, ["f:metadata"], "metadata");
  for (const [name, value] of Object.entries(rest)) walk(value, [`f:${name}`], name);
  return leaves;
}

/** fieldsV1 of a set of leaf paths. */
export function fieldsV1(paths: Iterable<string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    let node = root;
    for (const segment of JSON.parse(path) as string[]) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
  }
  return root;
}

/** The leaf paths of a fieldsV1 tree. */
export function pathsOf(fields: Record<string, unknown>, prefix: string[] = []): string[] {
  const out: string[] = [];
  for (const [segment, inner] of Object.entries(fields)) {
    const path = [...prefix, segment];
    if (isRecord(inner) && Object.keys(inner).length > 0) out.push(...pathsOf(inner, path));
    else out.push(JSON.stringify(path));
  }
  return out;
}

/** The paths whose value differs between two objects (present in either). */
export function changedPaths(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): Set<string> {
  const a = before ? leavesOf(before) : new Map<string, string>();
  const b = leavesOf(after);
  const changed = new Set<string>();
  for (const [path, value] of b) if (a.get(path) !== value) changed.add(path);
  for (const path of a.keys()) if (!b.has(path)) changed.add(path);
  return changed;
}

/** The managedFields after `manager` applied `applied`, turning `before` into `after`. */
export function afterApply(
  entries: readonly ManagedFieldsEntry[],
  manager: string,
  applied: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  apiVersion: string,
): ManagedFieldsEntry[] {
  const owned = new Set(leavesOf(applied).keys());
  const changed = changedPaths(before, after);
  const others = entries
    .filter((e) => !(e.manager === manager && e.operation === "Apply"))
    .map((e) => without(e, (path) => owned.has(path) && changed.has(path)));
  const own: ManagedFieldsEntry = {
    manager,
    operation: "Apply",
    apiVersion,
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    fieldsType: "FieldsV1",
    fieldsV1: fieldsV1(owned),
  };
  return [...others.filter(nonEmpty), own];
}

/** The managedFields after an update by `manager` turned `before` into `after`. */
export function afterUpdate(
  entries: readonly ManagedFieldsEntry[],
  manager: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  apiVersion: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const changed = changedPaths(before, after);
  if (changed.size === 0) return [...entries];
  const same = (e: ManagedFieldsEntry) =>
    e.manager === manager && e.operation === "Update" && e.subresource === subresource;
  const previous = entries.find(same);
  const others = entries.filter((e) => !same(e)).map((e) => without(e, (path) => changed.has(path)));
  const owned = new Set([...(previous ? pathsOf(previous.fieldsV1) : []), ...changed]);
  const gone = leavesOf(after);
  const own: ManagedFieldsEntry = {
    manager,
    operation: "Update",
    apiVersion,
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    fieldsType: "FieldsV1",
    fieldsV1: fieldsV1([...owned].filter((path) => gone.has(path))),
    ...(subresource ? { subresource } : {}),
  };
  return [...others, own].filter(nonEmpty);
}

/** The field manager of a request: its fieldManager, else the User-Agent up to its first "/". */
export function managerOf(fieldManager: string | undefined, userAgent: string | undefined): string {
  return fieldManager || (userAgent ?? "unknown").split("/")[0]!.trim() || "unknown";
}

function without(entry: ManagedFieldsEntry, drop: (path: string) => boolean): ManagedFieldsEntry {
  return { ...entry, fieldsV1: fieldsV1(pathsOf(entry.fieldsV1).filter((path) => !drop(path))) };
}

function nonEmpty(entry: ManagedFieldsEntry): boolean {
  return Object.keys(entry.fieldsV1).length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
