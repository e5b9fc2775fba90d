/**
 * The swarm target's decisions against a FAKE engine (a route table written here, not Docker):
 * refusing engines it cannot use, and what it does when swarm reports a failure. The real engine
 * runs the same paths in test/integration/swarm.test.ts.
 */

import { describe, expect, it } from "vitest";
import { desiredService, recordingContext } from "../../../test/support/deploy-fixtures.js";
import { digest } from "../../../test/support/digest.js";
import type { SwarmTargetConfig } from "../../config/types.js";
import type { EngineClient, EngineRequest, EngineResponse } from "../../engine/client.js";
import { ExitCode, UserError } from "../../errors/errors.js";
import { DeployFailure } from "../failure.js";
import { openSwarmTarget } from "./target.js";

type Route = (request: EngineRequest) => { status: number; body?: unknown; raw?: Buffer } | undefined;

/** A fake engine: the first route that answers wins; every request is recorded. */
function fakeEngine(routes: Route[]): EngineClient & { requests: EngineRequest[] } {
  const requests: EngineRequest[] = [];
  const raw = async (request: EngineRequest): Promise<EngineResponse> => {
    requests.push(request);
    for (const route of routes) {
      const answer = route(request);
      if (answer)
        return {
          status: answer.status,
          body: answer.raw ?? Buffer.from(answer.body === undefined ? "" : JSON.stringify(answer.body)),
        };
    }
    return { status: 404, body: Buffer.from('{"message":"no route in the fake"}') };
  };
  return {
    address: { kind: "unix", socketPath: "/fake.sock", text: "unix:///fake.sock" },
    requests,
    raw,
    stream: () => Promise.reject(new Error("not faked")),
    async json<T>(request: EngineRequest) {
      return JSON.parse((await raw(request)).body.toString("utf8")) as T;
    },
    close() {},
  };
}

const on =
  (method: string, path: string | RegExp, answer: ReturnType<Route> | (() => ReturnType<Route>)): Route =>
  (request) =>
    request.method === method && (typeof path === "string" ? request.path === path : path.test(request.path))
      ? typeof answer === "function"
        ? answer()
        : answer
      : undefined;

const info = (manager: boolean) =>
  on("GET", "/info", {
    status: 200,
    body: {
      OSType: "linux",
      Architecture: "x86_64",
      Swarm: { LocalNodeState: manager ? "active" : "inactive", ControlAvailable: manager },
    },
  });

const config: SwarmTargetConfig = {
  name: "swarm",
  kind: "swarm",
  host: undefined,
  network: "shop",
  update: { parallelism: 1, order: "start-first", monitorMs: 10 },
  publish: "ingress",
};

const options = (engine: EngineClient, registry = true) => ({
  project: "shop",
  env: {},
  where: "dray.yaml:20:3",
  locateService: (s: string) => `dray.yaml services.${s}.deploy`,
  registry,
  engine,
});

const desired = desiredService("api", {
  imageId: digest("b"),
  image: `registry.test/shop/api@${digest("m")}`,
  specDigest: digest("2"),
  deploy: { health: { http: undefined, command: undefined, intervalMs: 10, timeoutMs: 2000 } },
});

const context = recordingContext();

const newLabels = { "dray.image-id": digest("b"), "dray.spec-digest": digest("2") };
const failedTask = (n: number) => ({
  ID: `task${n}`,
  ServiceID: "svc1",
  DesiredState: "shutdown",
  Spec: { ContainerSpec: { Labels: newLabels } },
  Status: { Timestamp: `2024-01-01T00:00:0${n}Z`, State: "failed", Err: "task: non-zero exit (3)" },
});
/** A log frame as the engine sends it without a TTY: stream 2 (stderr), length, payload. */
const frame = (text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};
const oldRunning = {
  ID: "task0",
  ServiceID: "svc1",
  DesiredState: "running",
  Spec: { ContainerSpec: { Labels: { "dray.image-id": digest("a"), "dray.spec-digest": digest("1") } } },
  Status: { Timestamp: "2024-01-01T00:00:09Z", State: "running" },
};
const common = [
  info(true),
  on("GET", "/networks/shop", { status: 200, body: { Driver: "overlay", Scope: "swarm" } }),
  on("GET", "/tasks", { status: 200, body: [failedTask(1), failedTask(2), failedTask(3)] }),
  on("GET", /^\/tasks\/task3\/logs$/, { status: 200, raw: frame("api: cannot open database\n") }),
];

describe("openSwarmTarget", () => {
  it("refuses an engine that is not a swarm manager, saying how to make it one", async () => {
    const error = await openSwarmTarget(config, options(fakeEngine([info(false)]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({
      message: "unix:///fake.sock is not a swarm manager",
      exitCode: ExitCode.environment,
    });
    expect((error as UserError).hint).toContain("docker swarm init");
  });

  it("refuses to open without a registry, before talking to the engine", async () => {
    const engine = fakeEngine([info(true)]);
    const error = await openSwarmTarget(config, options(engine, false)).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: ExitCode.usage });
    expect((error as UserError).hint).toContain("registry:");
    expect(engine.requests).toEqual([]);
  });

  it("uses the manager's platform as the platform images must be for", async () => {
    const target = await openSwarmTarget(config, options(fakeEngine([info(true)])));
    expect(target.platform).toBe("linux/amd64");
  });

  it("refuses a local network of the target's name, which swarm services cannot join", async () => {
    const engine = fakeEngine([
      info(true),
      on("GET", "/networks/shop", { status: 200, body: { Driver: "bridge", Scope: "local" } }),
    ]);
    const target = await openSwarmTarget(config, options(engine));
    const error = await target.apply({ kind: "create", desired, reasons: ["new"] }, context).catch((e) => e);
    expect(error).toMatchObject({ message: "network shop exists on unix:///fake.sock as a bridge network" });
    expect(engine.requests.some((r) => r.path === "/services/create")).toBe(false);
  });
});

describe("swarm target apply (fake engine)", () => {
  it("removes a new service whose tasks keep failing and reports the failed task's log", async () => {
    const engine = fakeEngine([
      on("POST", "/services/create", { status: 201, body: { ID: "svc1" } }),
      on("GET", "/services/svc1", {
        status: 200,
        body: {
          ID: "svc1",
          Version: { Index: 3 },
          Spec: { Name: "shop_api", Mode: { Replicated: { Replicas: 1 } } },
        },
      }),
      on("DELETE", "/services/svc1", { status: 200 }),
      ...common,
    ]);
    const target = await openSwarmTarget(config, options(engine));
    const error = await target.apply({ kind: "create", desired, reasons: ["new"] }, context).catch((e) => e);
    expect(error).toBeInstanceOf(DeployFailure);
    expect((error as DeployFailure).message).toMatch(
      /^api: the new service did not become healthy: the new version keeps failing/,
    );
    expect((error as DeployFailure).failure).toEqual({
      service: "api",
      logs: ["api: cannot open database"],
      rolledBack: false,
    });
    expect(engine.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([
      "/services/svc1",
    ]);
  });

  it("reports an update swarm rolled back by itself with swarm's message, without asking for another rollback", async () => {
    let updated = false;
    const engine = fakeEngine([
      on("POST", "/services/svc1/update", () => {
        updated = true;
        return { status: 200, body: {} };
      }),
      on("GET", "/services/svc1", () => ({
        status: 200,
        body: {
          ID: "svc1",
          Version: { Index: updated ? 8 : 7 },
          Spec: { Name: "shop_api", Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ForceUpdate: 2 } },
          ...(updated
            ? {
                UpdateStatus: {
                  State: "rollback_completed",
                  Message: "rollback completed after task task3 failed",
                },
              }
            : {}),
        },
      })),
      on("GET", "/tasks", { status: 200, body: [oldRunning, failedTask(1), failedTask(2), failedTask(3)] }),
      ...common,
    ]);
    const target = await openSwarmTarget(config, options(engine));
    const live = {
      name: "api",
      imageId: digest("a"),
      specDigest: digest("1"),
      ids: ["svc1"],
      running: false,
    };
    const error = await target
      .apply({ kind: "replace", desired, live, reasons: ["image changed", "not running"] }, context)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DeployFailure);
    expect((error as DeployFailure).message).toContain(
      "swarm rollback completed: rollback completed after task task3 failed",
    );
    expect((error as DeployFailure).failure).toMatchObject({ service: "api", rolledBack: true });
    const updates = engine.requests.filter((r) => r.path === "/services/svc1/update");
    expect(updates.map((r) => r.query)).toEqual([{ version: 7 }]);
    // "not running" alone would leave the task spec unchanged; the bump makes swarm replace the tasks.
    expect((updates[0]!.body as { TaskTemplate: { ForceUpdate: number } }).TaskTemplate.ForceUpdate).toBe(3);
  });

  it("asks swarm to roll back an update that did not converge in time", async () => {
    let rollbackAsked = false;
    const engine = fakeEngine([
      (request) => {
        if (request.method === "POST" && request.query?.rollback === "previous") rollbackAsked = true;
        return undefined;
      },
      on("POST", "/services/svc1/update", () => ({ status: 200, body: {} })),
      on("GET", "/services/svc1", () => ({
        status: 200,
        body: {
          ID: "svc1",
          Version: { Index: 7 },
          Spec: { Name: "shop_api", Mode: { Replicated: { Replicas: 1 } } },
          UpdateStatus: rollbackAsked ? { State: "rollback_completed" } : { State: "updating" },
        },
      })),
      on("GET", "/tasks", { status: 200, body: [oldRunning] }),
      info(true),
      on("GET", "/networks/shop", { status: 200, body: { Driver: "overlay", Scope: "swarm" } }),
    ]);
    const target = await openSwarmTarget(config, options(engine));
    const short = {
      ...desired,
      spec: {
        ...desired.spec,
        deploy: { ...desired.spec.deploy, health: { ...desired.spec.deploy.health!, timeoutMs: 100 } },
      },
    };
    const live = { name: "api", imageId: digest("a"), specDigest: digest("1"), ids: ["svc1"], running: true };
    const error = await target
      .apply({ kind: "replace", desired: short, live, reasons: ["image changed"] }, context)
      .catch((e) => e);
    expect((error as DeployFailure).message).toMatch(
      /^api: the new version did not become healthy: not healthy after \d+ ms: 0\/1 tasks running, 1 of the previous version, update updating/,
    );
    expect(rollbackAsked).toBe(true);
    expect((error as DeployFailure).failure.rolledBack).toBe(true);
  });
});
