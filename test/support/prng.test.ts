/** The seeded PRNG the fault tests replay cases from: the same seed, the same choices. */
import { describe, expect, it } from "vitest";
import { prng, seededRandom } from "./prng.js";

describe("prng", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    // Pinned: a case's seed must replay the same mutations on every machine and Node version.
    expect(
      take(1)
        .slice(0, 3)
        .map((x) => x.toFixed(6)),
    ).toEqual(["0.627074", "0.002736", "0.527447"]);
  });

  it("keeps ints, picks and bytes in range", () => {
    const rng = prng(7);
    for (let i = 0; i < 1000; i++) {
      const n = rng.int(3, 5);
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true);
      expect(["a", "b"]).toContain(rng.pick(["a", "b"]));
    }
    expect(rng.bytes(16)).toHaveLength(16);
    expect(() => rng.pick([])).toThrow(/empty/);
  });
});
