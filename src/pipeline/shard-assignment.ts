/**
 * Which shard builds which service, when `dray build --shard I/N` splits the work between N CI
 * runners that never talk to each other. Pure: every runner computes the same answer from the same
 * services and costs, so each service is built exactly once.
 *
 * Rendezvous hashing with bounded loads: services are placed, most expensive first, each on the
 * shard that ranks highest for its name among those still under a cap of `SLACK` × the average load
 * (or the largest single cost). A service's ranking depends only on its own name, so adding one
 * service moves few others, and the cap keeps the shards' costs close to each other.
 */
import { createHash } from "node:crypto";

/** A service that needs building, with its recorded cost in milliseconds, if any is known. */
export interface ShardWork {
  name: string;
  cost?: number | undefined;
}

/** How far above the average a shard may be loaded before the next choice is tried. */
const SLACK = 1.1;

/** Shard (1…count) per service name. Unknown costs count as the median of the known ones. */
export function assignShards(work: readonly ShardWork[], count: number): Map<string, number> {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`internal: shard count ${count}`);
  const costs = withDefaults(work);
  const total = [...costs.values()].reduce((a, b) => a + b, 0);
  const cap = Math.max((total / count) * SLACK, ...costs.values());
  const loads = new Array<number>(count).fill(0);
  const order = [...costs].sort(([a, x], [b, y]) => y - x || compare(a, b));
  const out = new Map<string, number>();
  for (const [name, cost] of order) {
    const ranked = rank(name, count);
    const chosen =
      ranked.find((shard) => loads[shard]! + cost <= cap) ??
      // Nothing fits (only with very uneven costs): the least loaded, then the best ranked.
      [...ranked].sort((a, b) => loads[a]! - loads[b]!)[0]!;
    loads[chosen]! += cost;
    out.set(name, chosen + 1);
  }
  return out;
}

/** The summed cost of each shard's services, for reports and tests. */
export function shardLoads(
  work: readonly ShardWork[],
  assignment: ReadonlyMap<string, number>,
  count: number,
): number[] {
  const costs = withDefaults(work);
  const loads = new Array<number>(count).fill(0);
  for (const [name, shard] of assignment) loads[shard - 1]! += costs.get(name) ?? 0;
  return loads;
}

/** Costs with the unknown ones filled in: the median of the known ones, or 1 when none is known. */
function withDefaults(work: readonly ShardWork[]): Map<string, number> {
  const known = work
    .map((w) => w.cost)
    .filter((c): c is number => typeof c === "number" && Number.isFinite(c) && c >= 0)
    .sort((a, b) => a - b);
  const median = known.length > 0 ? known[Math.floor((known.length - 1) / 2)]! : 1;
  const out = new Map<string, number>();
  for (const w of work) {
    const cost = typeof w.cost === "number" && Number.isFinite(w.cost) && w.cost >= 0 ? w.cost : median;
    // A zero cost would let any number of services pile onto one shard.
    out.set(w.name, Math.max(1, Math.round(cost)));
  }
  return out;
}

/** The shards (0-based) in the order `name` prefers them: highest hash of (name, shard) first. */
function rank(name: string, count: number): number[] {
  const scores = Array.from({ length: count }, (_, shard) =>
    createHash("sha256")
      .update(`${name}\0${shard + 1}`)
      .digest()
      .readBigUInt64BE(0),
  );
  return scores
    .map((score, shard) => ({ score, shard }))
    .sort((a, b) => (a.score === b.score ? a.shard - b.shard : a.score > b.score ? -1 : 1))
    .map((s) => s.shard);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
