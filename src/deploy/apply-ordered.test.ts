/** Deploying in dependsOn order against a fake target that records when each service starts and is healthy. */
import { describe, expect, it } from "vitest";
import { digest } from "../../test/support/digest.js";
import { errorMessage } from "../errors/index.js";
import { applyInOrder } from "./apply-ordered.js";
import type { ServiceOutcome } from "./outcome.js";
import type { ApplyContext, DeployAction, DeployTarget, DesiredService, LiveService } from "./types.js";

const want = (name: string): DesiredService => ({
  name,
  imageId: digest(name),
  image: digest(name),
  specDigest: digest("spec"),
  spec: {} as DesiredService["spec"],
});
const live = (name: string, running = true): LiveService => ({
  name,
  imageId: digest(name),
  specDigest: digest("spec"),
  ids: [name],
  running,
});
const create = (name: string): DeployAction => ({ kind: "create", desired: want(name), reasons: ["new"] });
const keep = (name: string): DeployAction => ({ kind: "keep", desired: want(name), live: live(name) });

/** A target whose services take a few ms to get healthy, and fail when named in `failing`. */
function fakeTarget(failing: readonly string[] = []) {
  const events: string[] = [];
  const target = {
    async apply(action) {
      events.push(`start ${action.desired.name}`);
      await new Promise((resolve) => setTimeout(resolve, action.desired.name === "db" ? 30 : 5));
      if (failing.includes(action.desired.name)) {
        events.push(`rolled back ${action.desired.name}`);
        throw new Error(`${action.desired.name} did not become healthy`);
      }
      events.push(`healthy ${action.desired.name}`);
    },
    async remove(have) {
      events.push(`remove ${have.name}`);
    },
  } as Pick<DeployTarget, "apply" | "remove"> as DeployTarget;
  return { target, events };
}

function run(
  actions: DeployAction[],
  dependsOn: Record<string, string[]>,
  options: { failing?: string[]; live?: LiveService[] } = {},
) {
  const { target, events } = fakeTarget(options.failing);
  const reports = new Map<string, ServiceOutcome>(
    actions.map((a) => {
      const service = a.kind === "remove" ? a.live.name : a.desired.name;
      const status = a.kind === "keep" ? "unchanged" : "not started";
      return [
        service,
        { service, action: a.kind, reasons: [], from: undefined, to: undefined, status, steps: {}, ms: 0 },
      ];
    }),
  );
  const logs: string[] = [];
  const context: ApplyContext = {
    signal: new AbortController().signal,
    log: (service, line) => logs.push(`${service}: ${line}`),
    step: (_service, _name, fn) => fn(),
  };
  const order = {
    dependsOn: new Map(Object.entries(dependsOn)),
    live: new Map((options.live ?? []).map((l) => [l.name, l])),
    target: "local",
  };
  return applyInOrder(actions, target, context, reports, order).then(() => ({ events, reports, logs }));
}

describe("applyInOrder", () => {
  it("starts a service only after its dependency is healthy, however long that takes", async () => {
    const { events } = await run([create("api"), create("db"), create("web")], { api: ["db"], web: ["api"] });
    expect(events).toEqual([
      "start db",
      "healthy db",
      "start api",
      "healthy api",
      "start web",
      "healthy web",
    ]);
  });

  it("starts services without dependencies between them together", async () => {
    const { events } = await run([create("db"), create("cache"), create("api")], { api: ["cache", "db"] });
    expect(events.slice(0, 2).sort()).toEqual(["start cache", "start db"]);
    expect(events.indexOf("start api")).toBeGreaterThan(events.indexOf("healthy db"));
  });

  it("a failed dependency stops its dependents, each saying why; other services still deploy", async () => {
    const { events, reports } = await run(
      [create("db"), create("api"), create("web"), create("other")],
      { api: ["db"], web: ["api"] },
      { failing: ["db"] },
    );
    expect(events).not.toContain("start api");
    expect(events).not.toContain("start web");
    expect(events).toContain("healthy other");
    expect(reports.get("db")!.status).toBe("failed");
    expect(reports.get("api")!.status).toBe("not started");
    expect(errorMessage(reports.get("api")!.error)).toBe(
      "api was not deployed because its dependency db failed",
    );
    expect(errorMessage(reports.get("web")!.error)).toBe(
      "web was not deployed because its dependency api was not deployed",
    );
  });

  it("an unchanged dependency counts as ready", async () => {
    const { events, reports } = await run([keep("db"), create("api")], { api: ["db"] });
    expect(events).toEqual(["start api", "healthy api"]);
    expect(reports.get("api")!.status).toBe("done");
  });

  it("a dependency outside this deploy must be running on the target", async () => {
    const running = await run([create("api")], { api: ["db"] }, { live: [live("db")] });
    expect(running.reports.get("api")!.status).toBe("done");
    const stopped = await run([create("api")], { api: ["db"] }, { live: [live("db", false)] });
    expect(stopped.events).toEqual([]);
    expect(errorMessage(stopped.reports.get("api")!.error)).toBe(
      "api was not deployed because its dependency db is not running on target local",
    );
    const absent = await run([create("api")], { api: ["db"] });
    expect(absent.reports.get("api")!.status).toBe("not started");
  });
});
