import { describe, expect, it } from "vitest";
import type { DevEvent, LogLine, ServiceState, UpdateRecord } from "./events.js";
import { createDevHub } from "./hub.js";

function state(service: string, status: ServiceState["status"] = "ready"): ServiceState {
  return {
    service,
    status,
    imageId: "sha256:0123456789abcdef",
    containerId: "c0ffee",
    lastUpdateAt: undefined,
    error: undefined,
  };
}

function update(id: number, service = "api"): UpdateRecord {
  return {
    id,
    service,
    kind: "live",
    reason: "main.go changed",
    at: 1_700_000_000_000 + id,
    steps: [{ name: "compile", ms: 10 }],
    totalMs: 10,
    ok: true,
  };
}

function log(service: string, line: string): LogLine {
  return { service, stream: "stdout", line, at: 1_700_000_000_000 };
}

describe("createDevHub", () => {
  it("starts with an empty snapshot for its project", () => {
    expect(createDevHub("shop").snapshot()).toEqual({ project: "shop", services: [], updates: [], logs: [] });
  });

  it("replaces a service by name and keeps the order services were first seen", () => {
    const hub = createDevHub("shop");
    hub.setService(state("api", "building"));
    hub.setService(state("web", "building"));
    hub.setService(state("api", "ready"));
    expect(hub.snapshot().services.map((s) => `${s.service}:${s.status}`)).toEqual([
      "api:ready",
      "web:building",
    ]);
  });

  it("sends every write to subscribers synchronously, in order, until they unsubscribe", () => {
    const hub = createDevHub("shop");
    const seen: DevEvent["type"][] = [];
    const stop = hub.subscribe((event) => seen.push(event.type));
    hub.setService(state("api"));
    hub.addUpdate(update(1));
    hub.addLog(log("api", "listening"));
    expect(seen).toEqual(["service", "update", "log"]);
    stop();
    hub.addLog(log("api", "after"));
    expect(seen).toHaveLength(3);
  });

  it("keeps delivering to the other subscribers when one throws", () => {
    const hub = createDevHub("shop");
    const seen: string[] = [];
    hub.subscribe(() => {
      throw new Error("page went away");
    });
    hub.subscribe((event) => seen.push(event.type));
    hub.setService(state("api"));
    expect(seen).toEqual(["service"]);
  });

  it("keeps only the newest maxUpdates updates, oldest first", () => {
    const hub = createDevHub("shop", { maxUpdates: 3 });
    for (let id = 1; id <= 5; id++) hub.addUpdate(update(id));
    expect(hub.snapshot().updates.map((u) => u.id)).toEqual([3, 4, 5]);
  });

  it("bounds logs per service, so a chatty service does not push out a quiet one, in arrival order", () => {
    const hub = createDevHub("shop", { maxLogLinesPerService: 2 });
    hub.addLog(log("web", "web 1"));
    for (let n = 1; n <= 4; n++) hub.addLog(log("api", `api ${n}`));
    hub.addLog(log("web", "web 2"));
    expect(hub.snapshot().logs.map((l) => l.line)).toEqual(["web 1", "api 3", "api 4", "web 2"]);
  });

  it("returns copies, so a snapshot does not change after it is taken", () => {
    const hub = createDevHub("shop");
    const before = hub.snapshot();
    hub.setService(state("api"));
    hub.addUpdate(update(1));
    hub.addLog(log("api", "x"));
    expect(before).toEqual({ project: "shop", services: [], updates: [], logs: [] });
  });

  it("passes a rebuild of a known service to every handler and ignores unknown services", () => {
    const hub = createDevHub("shop");
    const calls: string[] = [];
    hub.onRebuild((service) => calls.push(`a:${service}`));
    const stop = hub.onRebuild((service) => calls.push(`b:${service}`));
    hub.setService(state("api"));

    expect(hub.requestRebuild("api")).toBe(true);
    expect(hub.requestRebuild("nope")).toBe(false);
    stop();
    expect(hub.requestRebuild("api")).toBe(true);
    expect(calls).toEqual(["a:api", "b:api", "a:api"]);
  });

  it.each([
    { description: "zero updates", options: { maxUpdates: 0 } },
    { description: "fractional log lines", options: { maxLogLinesPerService: 1.5 } },
  ])("rejects a limit of $description", ({ options }) => {
    expect(() => createDevHub("shop", options)).toThrow(RangeError);
  });
});
