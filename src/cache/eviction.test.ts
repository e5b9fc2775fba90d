import { describe, expect, it } from "vitest";
import { sha256Digest } from "../oci/digest.js";
import type { CacheEntry } from "./entry.js";
import { planEviction, referencedBlobs, totalBytes, type UsedEntry } from "./eviction.js";

/** An entry named `name` whose blobs are named blob → size. */
function used(name: string, lastUsed: number, blobs: Record<string, number>, current = false): UsedEntry {
  const entry: CacheEntry = {
    key: sha256Digest(name),
    service: name,
    top: { mediaType: "m", digest: sha256Digest(`${name}-top`), size: 1 },
    platforms: [],
    blobs: Object.entries(blobs).map(([blob, size]) => ({ digest: sha256Digest(blob), size })),
    createdAt: 0,
  };
  return { entry, lastUsed, current };
}

describe("referencedBlobs", () => {
  it("counts a blob shared by several entries once", () => {
    const entries = [used("a", 1, { base: 100, a: 10 }), used("b", 2, { base: 100, b: 20 })];
    expect(totalBytes(referencedBlobs(entries.map((u) => u.entry)))).toBe(130);
  });
});

describe("planEviction", () => {
  it.each([
    {
      description: "evicts nothing when already under the limit",
      entries: [used("a", 1, { a: 10 }), used("b", 2, { b: 10 })],
      maxBytes: 20,
      evicted: [],
      bytesAfter: 20,
    },
    {
      description: "evicts least recently used first until under the limit",
      entries: [used("new", 3, { n: 10 }), used("old", 1, { o: 10 }), used("mid", 2, { m: 10 })],
      maxBytes: 15,
      evicted: ["old", "mid"],
      bytesAfter: 10,
    },
    {
      description: "keeps the entries services were last built from until the others are gone",
      entries: [
        used("current", 1, { c: 10 }, true),
        used("stale", 5, { s: 10 }),
        used("fresh", 9, { f: 10 }),
      ],
      maxBytes: 10,
      evicted: ["stale", "fresh"],
      bytesAfter: 10,
    },
    {
      description: "evicts current entries too, oldest first, when the limit demands it",
      entries: [used("c1", 2, { c1: 10 }, true), used("c2", 1, { c2: 10 }, true), used("x", 3, { x: 10 })],
      maxBytes: 10,
      evicted: ["x", "c2"],
      bytesAfter: 10,
    },
    {
      description: "frees a shared blob only when the last entry naming it goes",
      entries: [used("a", 1, { base: 100, a: 1 }), used("b", 2, { base: 100, b: 1 }), used("c", 3, { c: 1 })],
      maxBytes: 50,
      evicted: ["a", "b"],
      bytesAfter: 1,
    },
    {
      description: "empties the cache with a limit of 0",
      entries: [used("a", 1, { a: 10 }, true), used("b", 2, { b: 10 })],
      maxBytes: 0,
      evicted: ["b", "a"],
      bytesAfter: 0,
    },
    {
      description: "breaks ties in last use by key, so the plan does not depend on scan order",
      entries: [used("y", 1, { y: 10 }), used("x", 1, { x: 10 })],
      maxBytes: 10,
      // sha256("x") = 2d71…, sha256("y") = a1fc…
      evicted: ["x"],
      bytesAfter: 10,
    },
  ])("$description", ({ entries, maxBytes, evicted, bytesAfter }) => {
    const plan = planEviction(entries, maxBytes);
    expect(plan.evict.map((u) => u.entry.service)).toEqual(evicted);
    expect(plan.keep.map((u) => u.entry.service).sort()).toEqual(
      entries
        .map((u) => u.entry.service)
        .filter((name) => !evicted.includes(name))
        .sort(),
    );
    expect(plan.bytesAfter).toBe(bytesAfter);
  });

  it("counts a blob an entry lists twice once", () => {
    const twice = used("a", 1, { base: 100 });
    twice.entry.blobs.push({ ...twice.entry.blobs[0]! });
    const plan = planEviction([twice, used("b", 2, { b: 10 })], 10);
    expect(plan.evict.map((u) => u.entry.service)).toEqual(["a"]);
    expect(plan.bytesAfter).toBe(10);
  });
});
