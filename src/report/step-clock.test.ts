import { describe, expect, it } from "vitest";
import { createStepClock } from "./step-clock.js";
import { createTracer } from "./trace.js";

describe("step clock", () => {
  it("adds each step's time to its total and records it as a span of the subject", async () => {
    let now = 0;
    const tracer = createTracer(() => now);
    const clock = createStepClock(tracer, "api linux/amd64", ["compile", "pack"] as const);
    await clock.time("pack", async () => {
      now += 5;
    });
    await clock.time("pack", async () => {
      now += 7;
    });
    clock.add("compile", 30);
    expect(clock.totals()).toEqual({ compile: 30, pack: 12 });
    expect(tracer.spans().map((s) => [s.name, s.subject, s.duration])).toEqual([
      ["pack", "api linux/amd64", 5],
      ["pack", "api linux/amd64", 7],
    ]);
  });

  it("counts a step that throws, and reports steps never run as 0", async () => {
    let now = 0;
    const clock = createStepClock(
      createTracer(() => now),
      "web",
      ["compile", "pack"] as const,
    );
    await expect(
      clock.time("compile", async () => {
        now += 3;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(clock.totals()).toEqual({ compile: 3, pack: 0 });
  });
});
