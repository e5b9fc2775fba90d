import { describe, expect, it } from "vitest";
import { digest } from "../../test/support/digest.js";
import { planDeploy } from "./deploy-plan.js";
import type { Drift } from "./drift.js";
import type { DesiredService, LiveService } from "./types.js";

function want(name: string, image: string, spec: string): DesiredService {
  return {
    name,
    imageId: digest(image),
    image: digest(image),
    specDigest: digest(spec),
    spec: {} as DesiredService["spec"],
  };
}

/** Replicas changed with kubectl, as the kubernetes target reports it. */
function replicas(service: string, deployed: string, live: string): Drift {
  return { service, field: "replicas", deployed, live, by: "kubectl" };
}

function have(name: string, image: string, spec: string, running = true): LiveService {
  return { name, imageId: digest(image), specDigest: digest(spec), ids: [`${name}-id`], running };
}

describe("planDeploy", () => {
  const options = { prune: false, known: new Set(["api", "orders", "users", "web"]) };

  it("keeps a service whose image ID and spec digest both match", () => {
    const actions = planDeploy([want("api", "a", "1")], new Map([["api", have("api", "a", "1")]]), options);
    expect(actions.map((a) => a.kind)).toEqual(["keep"]);
  });

  it("replaces for each identity part that differs, naming every reason", () => {
    const live = new Map([
      ["api", have("api", "a", "1")],
      ["orders", have("orders", "b", "1")],
      ["users", have("users", "c", "1", false)],
    ]);
    const actions = planDeploy(
      [want("api", "A", "1"), want("orders", "b", "2"), want("users", "C", "2")],
      live,
      options,
    );
    expect(actions.map((a) => [a.kind, a.kind === "keep" ? [] : a.reasons])).toEqual([
      ["replace", ["image changed"]],
      ["replace", ["spec changed"]],
      ["replace", ["image changed", "spec changed", "not running"]],
    ]);
  });

  it("replaces a service whose identity matches but whose settings were changed on the target (drift)", () => {
    const live = new Map([
      ["api", { ...have("api", "a", "1"), drift: [replicas("api", "3", "1")] }],
      ["orders", { ...have("orders", "b", "1", false), drift: [replicas("orders", "2", "0")] }],
    ]);
    const actions = planDeploy([want("api", "a", "1"), want("orders", "b", "1")], live, options);
    expect(actions.map((a) => [a.kind, a.kind === "keep" ? [] : a.reasons])).toEqual([
      ["replace", ["drifted: replicas 3 → 1 (changed by kubectl)"]],
      ["replace", ["drifted: replicas 2 → 0 (changed by kubectl)", "not running"]],
    ]);
  });

  it("creates what the target does not run", () => {
    const actions = planDeploy([want("web", "w", "1")], new Map(), options);
    expect(actions).toEqual([expect.objectContaining({ kind: "create", reasons: ["new"] })]);
  });

  it("removes a service that left dray.yaml only with prune, never one merely not selected", () => {
    const live = new Map([
      ["api", have("api", "a", "1")],
      ["old", have("old", "o", "1")],
    ]);
    expect(planDeploy([], live, options)).toEqual([]);
    const pruned = planDeploy([], live, { ...options, prune: true });
    expect(pruned).toEqual([
      expect.objectContaining({ kind: "remove", reasons: ["removed from dray.yaml"] }),
    ]);
    expect(pruned[0]!.kind === "remove" && pruned[0]!.live.name).toBe("old");
  });

  it("replaces an unchanged service only when forced", () => {
    const live = new Map([["api", have("api", "a", "1")]]);
    const forced = planDeploy([want("api", "a", "1")], live, { ...options, force: new Set(["api"]) });
    expect(forced).toEqual([expect.objectContaining({ kind: "replace", reasons: ["replacement forced"] })]);
  });

  it("replaces a drifted service whose identity matches, saying what drifted", () => {
    const drifted: LiveService = {
      ...have("api", "a", "1"),
      drift: [{ service: "api", field: "replicas", deployed: "3", live: "1" }],
    };
    const actions = planDeploy([want("api", "a", "1")], new Map([["api", drifted]]), options);
    expect(actions).toEqual([
      expect.objectContaining({ kind: "replace", reasons: ["drifted: replicas 3 → 1"] }),
    ]);
  });

  it("says a stopped container once: its state drift stands for 'not running'", () => {
    const stopped: LiveService = {
      ...have("api", "a", "1", false),
      drift: [{ service: "api", field: "state", deployed: "running", live: "exited (code 137)" }],
    };
    const actions = planDeploy([want("api", "a", "1")], new Map([["api", stopped]]), options);
    expect(actions).toEqual([
      expect.objectContaining({ kind: "replace", reasons: ["drifted: state running → exited (code 137)"] }),
    ]);
  });

  it("orders actions by service name", () => {
    const actions = planDeploy([want("b", "b", "1"), want("a", "a", "1")], new Map(), options);
    expect(actions.map((a) => (a.kind === "remove" ? a.live.name : a.desired.name))).toEqual(["a", "b"]);
  });
});
