/**
 * Targets that extend one another (`prod: { extends: staging, … }`): each child is replaced by its
 * parent's fields with its own laid over them — maps merged key by key, lists and scalars replaced —
 * before the schema sees it, so a child is checked as the whole target it becomes. An unknown
 * parent, a cycle or a child of another kind than its parent is a problem at the child's
 * `extends`. Pure: raw YAML data in, raw data out.
 */
import { type Problem, problemAt } from "./problems.js";
import { closest } from "./suggest.js";

type RawMap = Record<string, unknown>;

function isMap(value: unknown): value is RawMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `over` laid on `under`: maps merge key by key, anything else in `over` replaces. */
export function mergeOver(under: unknown, over: unknown): unknown {
  if (!isMap(under) || !isMap(over)) return over === undefined ? under : over;
  const merged: RawMap = { ...under };
  for (const [key, value] of Object.entries(over)) merged[key] = mergeOver(under[key], value);
  return merged;
}

/** The raw data with every target's `extends` resolved, and what stood in the way. */
export function expandTargets(data: RawMap): { data: RawMap; problems: Problem[] } {
  const targets = data["targets"];
  if (!isMap(targets) || !Object.values(targets).some((t) => isMap(t) && "extends" in t))
    return { data, problems: [] };
  const problems: Problem[] = [];
  const expanded = new Map<string, RawMap | undefined>();

  /** The target `name` with its ancestors merged in; undefined when its chain is broken. */
  const expand = (name: string, chain: readonly string[]): RawMap | undefined => {
    if (expanded.has(name)) return expanded.get(name);
    const own = targets[name];
    if (!isMap(own) || !("extends" in own)) return isMap(own) ? own : undefined;
    const { extends: parent, ...rest } = own;
    const at = ["targets", name, "extends"];
    const path = [...chain, name];
    let result: RawMap | undefined;
    if (typeof parent !== "string") {
      problems.push(problemAt(at, "value", "expected the name of another target, e.g. extends: staging"));
    } else if (path.includes(parent)) {
      const cycle = [...path.slice(path.indexOf(parent)), parent].join(" → ");
      problems.push(problemAt(at, "value", `targets extend each other in a cycle: ${cycle}`));
    } else if (!isMap(targets[parent])) {
      const guess = closest(
        parent,
        Object.keys(targets).filter((t) => t !== name),
      );
      problems.push(
        problemAt(
          at,
          "value",
          `extends ${JSON.stringify(parent)}, which is not a target${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ""} (chain: ${[...path, parent].join(" → ")})`,
        ),
      );
    } else {
      const base = expand(parent, path);
      if (base) result = withKind(base, rest, parent, at, problems);
    }
    expanded.set(name, result);
    return result;
  };

  const out: RawMap = {};
  for (const [name, own] of Object.entries(targets)) {
    // A child whose chain is broken is left out: its problem is reported once, at its `extends`.
    const result = isMap(own) && "extends" in own ? expand(name, []) : own;
    if (result !== undefined) out[name] = result;
  }
  return { data: { ...data, targets: out }, problems };
}

/** The child over its parent, when both are of one kind. */
function withKind(
  base: RawMap,
  own: RawMap,
  parent: string,
  at: (string | number)[],
  problems: Problem[],
): RawMap | undefined {
  if ("type" in own && "type" in base && own["type"] !== base["type"]) {
    problems.push(
      problemAt(
        at,
        "value",
        `a ${String(own["type"])} target cannot extend ${JSON.stringify(parent)}, a ${String(base["type"])} target — a target extends one of its own kind`,
      ),
    );
    return undefined;
  }
  return mergeOver(base, own) as RawMap;
}
