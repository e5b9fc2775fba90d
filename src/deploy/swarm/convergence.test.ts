import { describe, expect, it } from "vitest";
import { digest } from "../../../test/support/digest.js";
import type { DesiredService } from "../types.js";
import { convergence, failedTask, liveService, settled } from "./convergence.js";
import type { SwarmService, SwarmTask } from "./swarm-api.js";

const desired = {
  name: "api",
  imageId: digest("b"),
  image: `registry.test/shop/api@${digest("m")}`,
  specDigest: digest("2"),
  spec: {} as DesiredService["spec"],
} satisfies DesiredService;

function service(replicas: number, update?: SwarmService["UpdateStatus"]): SwarmService {
  return {
    ID: "svc1",
    Version: { Index: 7 },
    Spec: {
      Name: "shop_api",
      Labels: {
        "dray.project": "shop",
        "dray.service": "api",
        "dray.image-id": digest("b"),
        "dray.spec-digest": digest("2"),
      },
      Mode: { Replicated: { Replicas: replicas } },
    },
    ...(update ? { UpdateStatus: update } : {}),
  };
}

let seq = 0;
/** A task of the new version ("new") or of the one before ("old"). */
function task(version: "new" | "old", desiredState: string, state: string, err?: string): SwarmTask {
  seq += 1;
  return {
    ID: `t${seq}`,
    ServiceID: "svc1",
    DesiredState: desiredState,
    Spec: {
      ContainerSpec: {
        Labels:
          version === "new"
            ? { "dray.image-id": digest("b"), "dray.spec-digest": digest("2") }
            : { "dray.image-id": digest("a"), "dray.spec-digest": digest("1") },
      },
    },
    Status: {
      Timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
      State: state,
      ...(err ? { Err: err } : {}),
      ContainerStatus: { ContainerID: `c${seq}` },
    },
  };
}

describe("swarm convergence", () => {
  const cases: {
    description: string;
    service: SwarmService;
    tasks: SwarmTask[];
    expected: { ok: boolean; final?: boolean; reason?: RegExp };
  }[] = [
    {
      description: "a new service is converged once its replicas of the new version run",
      service: service(2),
      tasks: [task("new", "running", "running"), task("new", "running", "running")],
      expected: { ok: true },
    },
    {
      description: "a new service waits while a task is still starting (or not yet healthy)",
      service: service(2),
      tasks: [task("new", "running", "running"), task("new", "running", "starting")],
      expected: { ok: false, reason: /^1\/2 tasks running$/ },
    },
    {
      description: "an update waits while swarm reports it updating, though the new tasks run",
      service: service(1, { State: "updating", Message: "update in progress" }),
      tasks: [task("new", "running", "running")],
      expected: { ok: false, reason: /update updating/ },
    },
    {
      description: "an update is converged when swarm reports it completed",
      service: service(1, { State: "completed", Message: "update completed" }),
      tasks: [task("old", "shutdown", "shutdown"), task("new", "running", "running")],
      expected: { ok: true },
    },
    {
      description: "an update swarm has not picked up yet waits for tasks of the previous version",
      service: service(1),
      tasks: [task("old", "running", "running")],
      expected: { ok: false, reason: /0\/1 tasks running, 1 of the previous version/ },
    },
    {
      description: "a rollback swarm started is final, with swarm's message",
      service: service(1, { State: "rollback_started", Message: "update paused due to failure of task t9" }),
      tasks: [
        task("new", "shutdown", "failed", "task: non-zero exit (3)"),
        task("old", "running", "running"),
      ],
      expected: {
        ok: false,
        final: true,
        reason: /swarm rollback started: update paused due to failure of task t9/,
      },
    },
    {
      description: "a paused update is final",
      service: service(1, { State: "paused", Message: "update paused" }),
      tasks: [task("new", "running", "running")],
      expected: { ok: false, final: true, reason: /swarm paused/ },
    },
    {
      description: "a new service whose tasks keep failing is final and names the last error",
      service: service(1),
      tasks: [
        task("new", "shutdown", "failed", "non-zero exit (1)"),
        task("new", "shutdown", "failed", "non-zero exit (1)"),
        task("new", "shutdown", "failed", "non-zero exit (2)"),
        task("new", "running", "starting"),
      ],
      expected: {
        ok: false,
        final: true,
        reason: /keeps failing: .*last failed task failed: non-zero exit \(2\)/,
      },
    },
    {
      description: "a new service that swarm does not restart is final after its first failed task",
      service: {
        ...service(2),
        Spec: { ...service(2).Spec, TaskTemplate: { RestartPolicy: { Condition: "none" } } },
      },
      tasks: [task("new", "running", "running"), task("new", "shutdown", "failed", "non-zero exit (1)")],
      expected: { ok: false, final: true, reason: /^a task of the new version failed: 1\/2 tasks running/ },
    },
    {
      description: "zero replicas converge with no task at all",
      service: service(0),
      tasks: [],
      expected: { ok: true },
    },
  ];

  for (const c of cases) {
    it(c.description, () => {
      const result = convergence(c.service, c.tasks, desired);
      expect(result.ok).toBe(c.expected.ok);
      if (!result.ok) {
        expect(result.final ?? false).toBe(c.expected.final ?? false);
        expect(result.reason).toMatch(c.expected.reason!);
      }
    });
  }

  it("picks the newest failed task of the new version for its logs, not one of the previous version", () => {
    const first = task("new", "shutdown", "failed");
    const newest = task("new", "shutdown", "rejected");
    const tasks = [task("old", "shutdown", "failed"), newest, first, task("old", "shutdown", "failed")];
    expect(failedTask(tasks, desired)?.ID).toBe(newest.ID);
    expect(failedTask([task("new", "running", "running")], desired)).toBeUndefined();
  });
});

describe("swarm liveService", () => {
  it("reads the identity from the service labels and counts running tasks against replicas", () => {
    const live = liveService(service(2), [
      task("new", "running", "running"),
      task("new", "running", "running"),
    ]);
    expect(live).toEqual({
      name: "api",
      imageId: digest("b"),
      specDigest: digest("2"),
      ids: ["svc1"],
      running: true,
      state: "2/2 tasks running",
      drift: [],
    });
  });

  it("is not running with fewer running tasks than replicas", () => {
    expect(liveService(service(2), [task("new", "running", "running")])?.running).toBe(false);
  });

  it("is not running while a rollback is under way or paused, but is after a completed rollback", () => {
    const tasks = [task("old", "running", "running")];
    expect(liveService(service(1, { State: "rollback_started" }), tasks)?.running).toBe(false);
    expect(liveService(service(1, { State: "rollback_paused" }), tasks)?.running).toBe(false);
    expect(liveService(service(1, { State: "rollback_completed" }), tasks)?.running).toBe(true);
  });

  it("ignores a service without dray's service label", () => {
    const unlabelled = { ...service(1), Spec: { Name: "x", Labels: { "dray.project": "shop" } } };
    expect(liveService(unlabelled, [])).toBeUndefined();
  });
});

describe("swarm settled (after a rollback)", () => {
  it("waits for the restored tasks to run: swarm calls the rollback completed before they do", () => {
    const done = service(1, { State: "rollback_completed" });
    expect(settled(done, [task("old", "running", "ready"), task("new", "shutdown", "failed")])).toEqual({
      ok: false,
      reason: "0/1 tasks of the previous version running",
    });
    expect(settled(done, [task("old", "running", "running"), task("new", "shutdown", "failed")])).toEqual({
      ok: true,
    });
  });
});
