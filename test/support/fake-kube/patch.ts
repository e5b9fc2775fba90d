/**
 * TEST FAKE support: the two patch forms kubectl's imperative commands send. JSON merge patch
 * (RFC 7386: maps merge, null deletes, lists are replaced) and strategic merge patch, here with
 * the one rule kubectl set env / set image rely on: lists of objects with a `name` merge by name.
 */

/** `target` with merge patch `patch` applied (RFC 7386). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** `target` with strategic merge patch `patch` applied (lists of named objects merge by name). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (
    Array.isArray(patch) &&
    Array.isArray(target) &&
    patch.every((p) => isRecord(p) && typeof p["name"] === "string")
  ) {
    const out = target.map((item) => structuredClone(item) as unknown);
    for (const item of patch as Record<string, unknown>[]) {
      const at = out.findIndex((existing) => isRecord(existing) && existing["name"] === item["name"]);
      if (item["$patch"] === "delete") {
        if (at !== -1) out.splice(at, 1);
      } else if (at === -1) out.push(item);
      else out[at] = strategicMergePatch(out[at], item);
    }
    return out;
  }
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = strategicMergePatch(out[key], value);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
