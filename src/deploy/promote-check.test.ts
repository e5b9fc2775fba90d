/** What `dray promote` accepts from the source target, and how it says why it refuses a service. */
import { describe, expect, it } from "vitest";
import { checkPromotable } from "./promote-check.js";
import type { LiveService } from "./types.js";

const config = `sha256:${"c".repeat(64)}` as const;
const manifest = `sha256:${"a".repeat(64)}` as const;
const healthy = (name: string, extra: Partial<LiveService> = {}): LiveService => ({
  name,
  imageId: config,
  specDigest: undefined,
  ids: ["id"],
  running: true,
  state: "running",
  image: `127.0.0.1:5000/shop/${name}@${manifest}`,
  ...extra,
});

describe("checkPromotable", () => {
  it("takes a healthy service deployed by registry digest, with its reference", () => {
    const { ok, refused } = checkPromotable(["api"], new Map([["api", healthy("api")]]), "staging");
    expect(refused).toEqual([]);
    expect(ok).toEqual([
      {
        service: "api",
        imageId: config,
        reference: { registry: "127.0.0.1:5000", repository: "shop/api", digest: manifest },
      },
    ]);
  });

  const cases: { description: string; live?: LiveService; reason: string }[] = [
    { description: "a service the source does not run", reason: "is not on target staging" },
    {
      description: "a stopped service",
      live: healthy("api", { running: false, state: "exited (code 0)" }),
      reason: "is exited (code 0) on target staging, not running and healthy",
    },
    {
      description: "an unhealthy service",
      live: healthy("api", { running: false, state: "running, unhealthy" }),
      reason: "is running, unhealthy on target staging, not running and healthy",
    },
    {
      description: "a service whose container runs another image than dray deployed",
      live: healthy("api", { drift: [{ service: "api", field: "image", deployed: "a", live: "b" }] }),
      reason: "drifted on target staging: image a → b",
    },
    {
      description: "an image loaded from the local build, which has no registry digest",
      live: healthy("api", { image: config }),
      reason: `on target staging runs ${config} loaded from this machine's build, not pulled from a registry by digest`,
    },
    {
      description: "a service whose target keeps no record of its image reference",
      live: healthy("api", { image: undefined }),
      reason:
        "on target staging has no record of the image reference it runs (docker and swarm targets keep one)",
    },
  ];
  for (const { description, live, reason } of cases)
    it(`refuses ${description}`, () => {
      const { ok, refused } = checkPromotable(["api"], new Map(live ? [["api", live]] : []), "staging");
      expect(ok).toEqual([]);
      expect(refused).toEqual([{ service: "api", reason }]);
    });

  it("names every refused service and still takes the others; env drift does not block", () => {
    const live = new Map([
      ["api", healthy("api", { drift: [{ service: "api", field: "env LOG", deployed: "a", live: "b" }] })],
      ["orders", healthy("orders", { running: false, state: "exited (code 2)" })],
    ]);
    const { ok, refused } = checkPromotable(["api", "orders", "users"], live, "staging");
    expect(ok.map((p) => p.service)).toEqual(["api"]);
    expect(refused.map((r) => r.service)).toEqual(["orders", "users"]);
  });
});
