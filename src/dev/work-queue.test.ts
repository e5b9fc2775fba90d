import { describe, expect, it } from "vitest";
import { createWorkQueue, type Work } from "./work-queue.js";

describe("work queue", () => {
  it("runs one update per service at a time and merges what arrives meanwhile into the next", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = createWorkQueue(
      async (service, work: Work) => {
        runs.push([
          service,
          ...[...work.files].sort(),
          ...(work.rebuild ? [`rebuild: ${work.rebuild}`] : []),
        ]);
        if (runs.length === 1) await first;
      },
      () => {},
    );
    queue.enqueue("api", { files: new Set(["a.go"]), firstAt: 0 });
    queue.enqueue("api", { files: new Set(["b.go"]), firstAt: 1 });
    queue.enqueue("api", { files: new Set(["c.go"]), firstAt: 2, rebuild: "rebuild requested" });
    queue.enqueue("orders", { files: new Set(["o.go"]), firstAt: 3 });
    release();
    await queue.idle();
    expect(runs).toEqual([
      ["api", "a.go"],
      ["orders", "o.go"],
      ["api", "b.go", "c.go", "rebuild: rebuild requested"],
    ]);
  });

  it("reports a failed update and goes on with the next", async () => {
    const errors: string[] = [];
    const done: string[] = [];
    const queue = createWorkQueue(
      async (service, work) => {
        if (work.files.has("bad")) throw new Error("boom");
        done.push(service);
      },
      (service, error) => errors.push(`${service}: ${(error as Error).message}`),
    );
    queue.enqueue("api", { files: new Set(["bad"]), firstAt: 0 });
    await queue.idle();
    queue.enqueue("api", { files: new Set(["good"]), firstAt: 1 });
    await queue.idle();
    expect(errors).toEqual(["api: boom"]);
    expect(done).toEqual(["api"]);
  });
});
