/**
 * TEST HELPER: a seeded plan of random mutations to a copy of a project (dray.yaml, its files, dray's
 * state), for the fault property test. The plan is a pure function of the seed and the example's
 * files, so a failing case is rerun from its seed alone and its mutations can be named in its title.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { stateMutation, type TreeFacts, treeMutation } from "./mutations-tree.js";
import { yamlMutation, yamlPaths, yamlTextMutation } from "./mutations-yaml.js";
import { prng } from "./prng.js";

/** The folders of one case: the project copy, and a folder beside it that dray must leave alone. */
export interface CaseDirs {
  root: string;
  outside: string;
}

/** One change; `phase` orders a plan: dray.yaml's structure, its bytes, the files, dray's state. */
export interface Mutation {
  describe: string;
  phase: number;
  apply(dirs: CaseDirs): Promise<void>;
}

/** What the planner knows of the example: its files, folders and dray.yaml's key paths. */
export interface ExampleFacts extends TreeFacts {
  yamlPaths: ReturnType<typeof yamlPaths>;
}

/** Reads the example (synchronously: plans are made when tests are collected). */
export function exampleFacts(dir: string): ExampleFacts {
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (/^(\.dray|dist|node_modules)$/.test(entry.name)) continue;
      if (entry.isDirectory()) {
        dirs.push(child);
        walk(child);
      } else files.push(child);
    }
  };
  walk("");
  return {
    files: files.sort(),
    dirs: dirs.sort(),
    yamlPaths: yamlPaths(readFileSync(path.join(dir, "dray.yaml"), "utf8")),
  };
}

/** One to three mutations for `seed`, in the order they are applied. */
export function planMutations(seed: number, facts: ExampleFacts): Mutation[] {
  const rng = prng(seed);
  const count = 1 + (rng.chance(0.35) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0);
  const plan: Mutation[] = [];
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    if (roll < 0.3) plan.push(yamlMutation(rng, facts.yamlPaths));
    else if (roll < 0.4) plan.push(yamlTextMutation(rng));
    else if (roll < 0.82) plan.push(treeMutation(rng, facts));
    else plan.push(stateMutation(rng));
  }
  return plan.sort((a, b) => a.phase - b.phase);
}

/** Applies the plan to the case's folders, in order. */
export async function applyMutations(plan: readonly Mutation[], dirs: CaseDirs): Promise<void> {
  for (const mutation of plan) await mutation.apply(dirs);
}
