import { describe, expect, it } from "vitest";
import { seededRandom } from "../../test/support/prng.js";
import { assignShards, type ShardWork, shardLoads } from "./shard-assignment.js";

/** `size` services with costs from 1 s to 21 s, drawn from `seed`. */
function randomWork(seed: number, size: number): ShardWork[] {
  const random = seededRandom(seed);
  return Array.from({ length: size }, (_, i) => ({
    name: `svc-${seed}-${i}`,
    cost: Math.round(1000 + random() * 20_000),
  }));
}

const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

describe("assignShards", () => {
  it("gives every service exactly one shard from 1 to N, whatever order the services come in", () => {
    const work = randomWork(7, 25);
    const assignment = assignShards(work, 4);
    expect([...assignment.keys()].sort()).toEqual(work.map((w) => w.name).sort());
    expect([...assignment.values()].every((s) => s >= 1 && s <= 4)).toBe(true);
    expect(assignShards([...work].reverse(), 4)).toEqual(assignment);
  });

  it("puts everything on shard 1 of 1, and a lone service on one shard of many", () => {
    expect([...assignShards(randomWork(1, 5), 1).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(assignShards([{ name: "api", cost: 5 }], 3).size).toBe(1);
  });

  it.each([
    { shards: 3, services: 20 },
    { shards: 4, services: 40 },
    { shards: 8, services: 100 },
  ])("keeps every shard within 10% of the average cost ($services services on $shards shards)", ({
    shards,
    services,
  }) => {
    for (const seed of SEEDS) {
      const work = randomWork(seed, services);
      const loads = shardLoads(work, assignShards(work, shards), shards);
      const average = loads.reduce((a, b) => a + b, 0) / shards;
      expect(Math.max(...loads) / average, `seed ${seed}`).toBeLessThanOrEqual(1.1 + 1e-9);
    }
  });

  it("balances by cost, not by count: one long build gets a shard of its own", () => {
    const work = [
      { name: "big", cost: 60_000 },
      ...Array.from({ length: 6 }, (_, i) => ({ name: `small-${i}`, cost: 10_000 })),
    ];
    const assignment = assignShards(work, 2);
    const bigShard = assignment.get("big");
    expect(work.filter((w) => assignment.get(w.name) === bigShard).map((w) => w.name)).toEqual(["big"]);
  });

  it.each([
    { shards: 3, services: 20 },
    { shards: 4, services: 40 },
    { shards: 8, services: 100 },
  ])("moves few services when one is added ($services services on $shards shards)", ({
    shards,
    services,
  }) => {
    let moved = 0;
    for (const seed of SEEDS) {
      const work = randomWork(seed, services);
      const before = assignShards(work, shards);
      const after = assignShards([...work, { name: `added-${seed}`, cost: 11_000 }], shards);
      moved += work.filter((w) => before.get(w.name) !== after.get(w.name)).length;
    }
    // Measured: 12%, 9.5% and 7.5% of the services. Dealing them out afresh would move about (N-1)/N.
    expect(moved / (SEEDS.length * services)).toBeLessThan(0.15);
  });

  it("counts an unknown cost as the median of the known ones", () => {
    const work = [{ name: "a", cost: 10 }, { name: "b", cost: 20 }, { name: "c", cost: 30 }, { name: "new" }];
    const assignment = assignShards(work, 2);
    const loads = shardLoads(work, assignment, 2);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(80);
  });

  it("treats every service alike when no cost is known", () => {
    const work = Array.from({ length: 9 }, (_, i) => ({ name: `s${i}` }));
    expect(shardLoads(work, assignShards(work, 3), 3)).toEqual([3, 3, 3]);
  });
});
