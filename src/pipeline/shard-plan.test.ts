import { describe, expect, it } from "vitest";
import type { ServiceKey } from "../fingerprint/index.js";
import { type Digest, sha256Digest } from "../oci/index.js";
import { runId } from "./shard-plan.js";

function keys(entries: [string, string][]): Map<string, ServiceKey> {
  return new Map(
    entries.map(([service, text]) => [
      service,
      { service, key: sha256Digest(text) as Digest, platforms: [] },
    ]),
  );
}

describe("runId", () => {
  const base: [string, string][] = [
    ["api", "a1"],
    ["orders", "o1"],
    ["web", "w1"],
  ];

  it("is the same on every runner of the run, whatever order the services were listed in", () => {
    expect(runId(keys([...base].reverse()), 3)).toBe(runId(keys(base), 3));
  });

  it.each([
    ["another shard count", keys(base), 4],
    ["one service's key changed (a new commit)", keys([["api", "a2"], ...base.slice(1)]), 3],
    ["one service more", keys([...base, ["users", "u1"]]), 3],
  ])("changes with %s", (_, changed, count) => {
    expect(runId(changed, count)).not.toBe(runId(keys(base), 3));
  });
});
