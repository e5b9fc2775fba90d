/** Why two keys differ: a diff of their ingredients. Pure. */

import { compareCodeUnits } from "../oci/index.js";
import type { IngredientChange, Ingredients } from "./types.js";
import { differingParts } from "./value-diff.js";

/** Every difference between `before` and `after`: settings, then modules, packages and files, each sorted. */
export function diffIngredients(before: Ingredients, after: Ingredients): IngredientChange[] {
  const changes: IngredientChange[] = [];
  if (before.format !== after.format) {
    changes.push({
      kind: "setting",
      name: "dray.format",
      from: String(before.format),
      to: String(after.format),
    });
  }
  if (before.platform !== after.platform) {
    changes.push({ kind: "setting", name: "platform", from: before.platform, to: after.platform });
  }
  for (const name of unionKeys(before.settings, after.settings)) {
    const from = before.settings[name];
    const to = after.settings[name];
    if (from !== to) changes.push({ kind: "setting", name, from, to });
  }
  for (const path of unionKeys(before.modules, after.modules)) {
    const from = before.modules[path];
    const to = after.modules[path];
    if (from !== to) changes.push({ kind: "module", path, from, to });
  }
  for (const importPath of unionKeys(before.packages, after.packages)) {
    const change = compare(before.packages[importPath], after.packages[importPath]);
    if (change) changes.push({ kind: "package", importPath, change });
  }
  for (const path of unionKeys(before.files, after.files)) {
    const change = compare(before.files[path], after.files[path]);
    if (change) changes.push({ kind: "file", path, change });
  }
  return changes;
}

function compare(
  from: string | undefined,
  to: string | undefined,
): "added" | "removed" | "modified" | undefined {
  if (from === to) return undefined;
  if (from === undefined) return "added";
  if (to === undefined) return "removed";
  return "modified";
}

function unionKeys(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCodeUnits);
}

/** One line per change, for `dray why`. */
export function describeChange(change: IngredientChange): string {
  switch (change.kind) {
    case "file":
      return `file ${change.path} ${change.change}`;
    case "package":
      return `package ${change.importPath} ${change.change}`;
    case "module":
      return `module ${change.path}: ${change.from ?? "(none)"} → ${change.to ?? "(none)"}`;
    case "setting": {
      if (change.from === undefined || change.to === undefined)
        return `setting ${change.name}: ${clip(change.from)} → ${clip(change.to)}`;
      const shown = differingParts(change.from, change.to);
      return `setting ${change.name}: ${shown.from} → ${shown.to}`;
    }
  }
}

/** A short reason for a table cell: the most telling changes first, the rest counted. */
export function summarizeChanges(changes: readonly IngredientChange[], max = 2): string {
  const settings = changes.filter((c) => c.kind === "setting");
  const modules = changes.filter((c) => c.kind === "module");
  const packages = changes.filter((c) => c.kind === "package");
  const files = changes.filter((c) => c.kind === "file");
  const parts: string[] = [];
  if (settings.length > 0)
    parts.push(
      list(
        "setting",
        settings.map((c) => (c.kind === "setting" ? c.name : "")),
        max,
      ),
    );
  if (modules.length > 0)
    parts.push(
      list(
        "module",
        modules.map((c) => (c.kind === "module" ? `${c.path} ${c.to ?? "removed"}` : "")),
        max,
      ),
    );
  if (packages.length > 0)
    parts.push(
      list(
        "package",
        packages.map((c) => (c.kind === "package" ? c.importPath : "")),
        max,
      ),
    );
  else if (files.length > 0)
    parts.push(
      list(
        "file",
        files.map((c) => (c.kind === "file" ? c.path : "")),
        max,
      ),
    );
  return parts.join("; ");
}

function list(noun: string, names: string[], max: number): string {
  const shown = names.slice(0, max).join(", ");
  const more = names.length > max ? ` +${names.length - max} more` : "";
  return `${noun}${names.length > 1 ? "s" : ""} ${shown}${more}`;
}

function clip(value: string | undefined): string {
  if (value === undefined) return "(none)";
  return value.length > 80 ? `${value.slice(0, 77)}…` : value;
}
