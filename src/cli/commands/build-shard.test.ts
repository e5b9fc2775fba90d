import { describe, expect, it } from "vitest";
import type { Digest } from "../../oci/index.js";
import type { BuildOutcome, ShardPlan } from "../../pipeline/index.js";
import { markedEntries, renderShard, shardJson } from "./build-shard.js";

const plan: ShardPlan = {
  index: 2,
  count: 3,
  run: "sha256:1111" as Digest,
  assigned: [
    { service: "api", shard: 2, cost: 1200 },
    { service: "orders", shard: 1 },
    { service: "users", shard: 2 },
  ],
  cached: ["web"],
  mine: ["api", "users"],
};

function outcome(reports: { name: string; cached: boolean }[]): BuildOutcome {
  return {
    services: reports.map((r) => ({ ...r, status: "built", kind: "go" })),
  } as unknown as BuildOutcome;
}

describe("shardJson", () => {
  it("says per service: built here, found cached here, left to another shard, or cached before the run", () => {
    const json = shardJson(
      plan,
      outcome([
        { name: "api", cached: false },
        { name: "users", cached: true },
      ]),
    );
    expect(json).toEqual({
      index: 2,
      count: 3,
      run: "sha256:1111",
      services: [
        { service: "api", shard: 2, action: "built", cost: 1200 },
        { service: "orders", shard: 1, action: "skipped" },
        { service: "users", shard: 2, action: "cached" },
        { service: "web", action: "cached" },
      ],
    });
  });
});

describe("renderShard", () => {
  it("is one line naming this shard's services and the others'", () => {
    expect(renderShard(plan, { interactive: false, color: false })).toBe(
      "shard 2/3: 2 to build: api, users; 1 on other shards: orders (1); 1 cached before this run: web",
    );
  });
});

describe("markedEntries", () => {
  it("marks each entry with the run and the cost its service was assigned by, and no cost when none was known", async () => {
    const entry = { key: "sha256:aa", service: "api" } as never;
    const marked = await markedEntries(
      plan,
      new Map([
        ["api", entry],
        ["users", entry],
      ]),
    );
    expect(marked.get("api")).toEqual({
      key: "sha256:aa",
      service: "api",
      shard: { run: "sha256:1111", cost: 1200 },
    });
    expect(marked.get("users")!.shard).toEqual({ run: "sha256:1111" });
  });
});
