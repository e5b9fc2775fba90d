/**
 * TEST HELPER: a tiny seeded PRNG (mulberry32) and the choices tests make with it. The same seed
 * gives the same sequence on every machine, so a failing fault-injection case is reproduced from its
 * seed alone.
 */

/** Uniform numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The choices a test makes, all drawn from one seeded sequence. */
export interface Prng {
  readonly seed: number;
  /** [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `count` pseudo-random bytes. */
  bytes(count: number): Buffer;
}

export function prng(seed: number): Prng {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error("prng.pick: empty list");
      return items[int(0, items.length - 1)]!;
    },
    bytes(count) {
      const out = Buffer.alloc(count);
      for (let i = 0; i < count; i++) out[i] = int(0, 255);
      return out;
    },
  };
}
