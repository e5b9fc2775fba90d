/**
 * The order services start in, from their `dependsOn`: layers of a topological sort, each layer
 * sorted by name, so the same dray.yaml always gives the same order. Pure.
 */
import { compareCodeUnits } from "../oci/index.js";

/** A service and the services it needs running before it starts. */
export interface DependencyNode {
  readonly name: string;
  readonly dependsOn: readonly string[];
}

/** The layers (layer 0 needs nothing), or the first cycle found, its first name repeated at the end. */
export type StartOrder = { ok: true; layers: string[][] } | { ok: false; cycle: string[] };

/**
 * Layers of `nodes`: a service is in the layer after the last of its dependencies. Dependencies on
 * names that are not among `nodes` are ignored (they are not part of this run).
 */
export function startOrder(nodes: readonly DependencyNode[]): StartOrder {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const needs = (n: DependencyNode) => [...new Set(n.dependsOn)].filter((d) => byName.has(d));
  const cycle = findCycle(nodes, (n) => needs(n).map((d) => byName.get(d)!));
  if (cycle) return { ok: false, cycle };
  const depth = new Map<string, number>();
  const depthOf = (n: DependencyNode): number => {
    const known = depth.get(n.name);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...needs(n).map((name) => depthOf(byName.get(name)!))) + 1;
    depth.set(n.name, d);
    return d;
  };
  const layers: string[][] = [];
  for (const n of nodes) {
    const d = depthOf(n);
    layers[d] = [...(layers[d] ?? []), n.name];
  }
  return { ok: true, layers: layers.map((layer) => [...new Set(layer)].sort(compareCodeUnits)) };
}

/** A cycle as a path ("a", "b", "a"), searched from the names in order, so the answer is stable. */
function findCycle(
  nodes: readonly DependencyNode[],
  next: (n: DependencyNode) => DependencyNode[],
): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (n: DependencyNode): string[] | undefined => {
    const at = path.indexOf(n.name);
    if (at >= 0) return [...path.slice(at), n.name];
    if (done.has(n.name)) return undefined;
    path.push(n.name);
    for (const d of [...next(n)].sort((a, b) => compareCodeUnits(a.name, b.name))) {
      const found = visit(d);
      if (found) return found;
    }
    path.pop();
    done.add(n.name);
    return undefined;
  };
  for (const n of [...nodes].sort((a, b) => compareCodeUnits(a.name, b.name))) {
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}

/** "a → b → c → a". */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(" → ");
}
