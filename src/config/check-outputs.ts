/**
 * Checks across services: a command's output is emptied before each run and taken whole into the
 * image, so it must belong to that one service. Two services writing to one output (or one inside
 * another) would swap files, and an output holding anything else dray.yaml names (another service's
 * dir, a `files:` source, a Go package) would have it deleted.
 */
import path from "node:path";
import { type Problem, problemAt } from "./problems.js";
import type { ConfigPath } from "./types.js";

/** A command service's output, resolved through symlinks. */
export interface OutputPlace {
  real: string;
  service: string;
  /** Where the output is written in dray.yaml (or would be: the default "dist"). */
  at: ConfigPath;
  /** How messages name it: relative to the project root, quoted. */
  shown: string;
}

/** Any other path dray.yaml names, resolved through symlinks. */
export interface NamedPlace {
  real: string;
  /** e.g. `the Go package of service api`. */
  what: string;
}

type Item = { key: string; output: OutputPlace } | { key: string; named: NamedPlace };

/**
 * Every output that overlaps another, or holds a named path. One sorted sweep instead of comparing
 * every pair: in sorted order, the paths below a directory directly follow it, so a stack of the
 * outputs that contain the current path is all there is to look at.
 */
export function checkOutputs(outputs: readonly OutputPlace[], named: readonly NamedPlace[]): Problem[] {
  const items: Item[] = [
    ...outputs.map((output) => ({ key: withSep(output.real), output })),
    ...named.map((place) => ({ key: withSep(place.real), named: place })),
  ];
  // Stable: at one key, outputs come first and in file order, so a later one is reported against an earlier.
  items.sort((a, b) => (a.key === b.key ? rank(a) - rank(b) : a.key < b.key ? -1 : 1));
  const problems: Problem[] = [];
  const around: { key: string; output: OutputPlace }[] = [];
  for (const item of items) {
    while (around.length > 0 && !item.key.startsWith(around.at(-1)!.key)) around.pop();
    const outer = around.at(-1)?.output;
    if ("output" in item) {
      if (outer) problems.push(overlap(item.output, outer));
      around.push(item);
    } else if (outer) {
      const message = `the output ${outer.shown} holds ${item.named.what} — dray empties the output before each run and packs all of it, so nothing else dray.yaml names may be inside it`;
      problems.push(problemAt(outer.at, "value", message));
    }
  }
  return problems;
}

function overlap(output: OutputPlace, outer: OutputPlace): Problem {
  const fix = "give each service an output directory of its own, or their builds swap files";
  const message =
    output.real === outer.real
      ? `${output.shown} is also the output of service ${outer.service} — ${fix}`
      : `${output.shown} is inside ${outer.shown}, the output of service ${outer.service} — ${fix}`;
  return problemAt(output.at, "value", message);
}

function rank(item: Item): number {
  return "output" in item ? 0 : 1;
}

function withSep(p: string): string {
  return p.endsWith(path.sep) ? p : `${p}${path.sep}`;
}
