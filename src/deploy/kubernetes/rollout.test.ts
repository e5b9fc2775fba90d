import { describe, expect, it } from "vitest";
import type { LiveDeployment } from "./objects.js";
import { rolloutState, waitForRollout } from "./rollout.js";

function deployment(generation: number, status: LiveDeployment["status"], replicas = 2): LiveDeployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", generation },
    spec: { replicas },
    status,
  };
}

describe("rolloutState", () => {
  const cases: { description: string; deployment: LiveDeployment; state: string }[] = [
    { description: "no status yet", deployment: deployment(1, undefined), state: "waiting" },
    {
      description: "controller has not seen the new generation",
      deployment: deployment(3, {
        observedGeneration: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
        replicas: 2,
      }),
      state: "waiting",
    },
    {
      description: "a stale ProgressDeadlineExceeded from the old generation does not count",
      deployment: deployment(3, {
        observedGeneration: 2,
        conditions: [{ type: "Progressing", reason: "ProgressDeadlineExceeded" }],
      }),
      state: "waiting",
    },
    {
      description: "progress deadline exceeded",
      deployment: deployment(2, {
        observedGeneration: 2,
        updatedReplicas: 1,
        conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
      }),
      state: "failed",
    },
    {
      description: "not all replicas updated",
      deployment: deployment(2, {
        observedGeneration: 2,
        updatedReplicas: 1,
        availableReplicas: 2,
        replicas: 3,
      }),
      state: "waiting",
    },
    {
      description: "old replicas still terminating",
      deployment: deployment(2, {
        observedGeneration: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
        replicas: 3,
      }),
      state: "waiting",
    },
    {
      description: "updated but not available",
      deployment: deployment(2, {
        observedGeneration: 2,
        updatedReplicas: 2,
        availableReplicas: 1,
        replicas: 2,
      }),
      state: "waiting",
    },
    {
      description: "all updated and available",
      deployment: deployment(2, {
        observedGeneration: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
        replicas: 2,
      }),
      state: "done",
    },
  ];
  it.each(cases)("$description: $state", ({ deployment: d, state }) => {
    expect(rolloutState(d).kind).toBe(state);
  });
});

describe("waitForRollout", () => {
  it("polls with growing pauses until done, reporting each new message once", async () => {
    const answers = [
      deployment(2, { observedGeneration: 1 }),
      deployment(2, { observedGeneration: 1 }),
      deployment(2, { observedGeneration: 2, updatedReplicas: 1 }),
      deployment(2, { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, replicas: 2 }),
    ];
    const pauses: number[] = [];
    const messages: string[] = [];
    let clock = 0;
    const state = await waitForRollout(async () => answers.shift()!, {
      timeoutMs: 60_000,
      intervalMs: 100,
      maxIntervalMs: 300,
      now: () => clock,
      sleep: async (ms) => {
        pauses.push(ms);
        clock += ms;
      },
      onProgress: (m) => messages.push(m),
    });
    expect(state).toEqual({ kind: "done" });
    expect(pauses).toEqual([100, 200, 300]);
    expect(messages).toEqual(["waiting for the controller to see the new spec", "1 of 2 replicas updated"]);
  });

  it("gives up at the time limit with the last thing it waited for", async () => {
    let clock = 0;
    const state = await waitForRollout(
      async () => deployment(2, { observedGeneration: 2, updatedReplicas: 0 }),
      {
        timeoutMs: 5_000,
        intervalMs: 1_000,
        maxIntervalMs: 1_000,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
      },
    );
    expect(state).toEqual({ kind: "failed", reason: "not finished after 5s (0 of 2 replicas updated)" });
  });
});
