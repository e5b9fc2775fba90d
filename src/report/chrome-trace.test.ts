import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ChromeTrace,
  type CompleteEvent,
  type MetadataEvent,
  toChromeTrace,
  writeChromeTrace,
} from "./chrome-trace.js";
import type { Span } from "./trace.js";

const complete = (trace: ChromeTrace) => trace.traceEvents.filter((e): e is CompleteEvent => e.ph === "X");
const metadata = (trace: ChromeTrace) => trace.traceEvents.filter((e): e is MetadataEvent => e.ph === "M");
const threadNames = (trace: ChromeTrace) =>
  metadata(trace)
    .filter((e) => e.name === "thread_name")
    .map((e) => [e.tid, (e.args as { name: string }).name]);

/** What viewers require of complete events on one thread: any two are disjoint or one contains the other. */
function overlapsIllegally(events: readonly CompleteEvent[]): boolean {
  for (const a of events) {
    for (const b of events) {
      if (a === b || a.tid !== b.tid) continue;
      const aEnd = a.ts + a.dur;
      const bEnd = b.ts + b.dur;
      const disjoint = aEnd <= b.ts || bEnd <= a.ts;
      const nested = (a.ts <= b.ts && bEnd <= aEnd) || (b.ts <= a.ts && aEnd <= bEnd);
      if (!disjoint && !nested) return true;
    }
  }
  return false;
}

describe("toChromeTrace", () => {
  it("writes complete events in microseconds with labelled tracks, unsubjected spans first", () => {
    const trace = toChromeTrace(
      [
        { name: "compile", subject: "api linux/amd64", start: 1.5, duration: 10.25, attrs: { bytes: 42 } },
        { name: "resolve go packages", start: 0, duration: 1.2 },
      ],
      { command: "build", pid: 7 },
    );
    expect(trace.displayTimeUnit).toBe("ms");
    expect(trace.otherData).toEqual({ tool: "dray", command: "build", spans: 2 });
    expect(complete(trace)).toEqual([
      { name: "resolve go packages", cat: "dray", ph: "X", ts: 0, dur: 1200, pid: 7, tid: 1, args: {} },
      { name: "compile", cat: "dray", ph: "X", ts: 1500, dur: 10250, pid: 7, tid: 2, args: { bytes: 42 } },
    ]);
    expect(metadata(trace)).toContainEqual({
      name: "process_name",
      ph: "M",
      pid: 7,
      tid: 0,
      args: { name: "dray build" },
    });
    expect(threadNames(trace)).toEqual([
      [1, "dray"],
      [2, "api linux/amd64"],
    ]);
  });

  const lanes: { description: string; spans: [number, number][]; tracks: string[] }[] = [
    {
      description: "one after another share a track",
      spans: [
        [0, 5],
        [5, 5],
        [20, 1],
      ],
      tracks: ["api"],
    },
    {
      description: "a step inside another nests on one track",
      spans: [
        [0, 10],
        [2, 3],
        [2, 3],
      ],
      tracks: ["api"],
    },
    {
      description: "a partial overlap gets a second lane",
      spans: [
        [0, 10],
        [5, 10],
      ],
      tracks: ["api", "api (2)"],
    },
    {
      description: "three at once get three lanes",
      spans: [
        [0, 10],
        [1, 10],
        [2, 10],
      ],
      tracks: ["api", "api (2)", "api (3)"],
    },
    {
      description: "a later span returns to the first lane once it is free",
      spans: [
        [0, 10],
        [5, 10],
        [11, 2],
      ],
      tracks: ["api", "api (2)"],
    },
    {
      description: "a child ending with its parent stays nested despite float noise",
      spans: [
        [0.1, 0.2],
        [0.1 + 0.1, 0.1],
      ],
      tracks: ["api"],
    },
  ];
  it.each(lanes)("$description", ({ spans, tracks }) => {
    const trace = toChromeTrace(
      spans.map(([start, duration], i) => ({ name: `s${i}`, subject: "api", start, duration })),
      { command: "build" },
    );
    expect(threadNames(trace).map(([, name]) => name)).toEqual(tracks);
    expect(complete(trace)).toHaveLength(spans.length);
    expect(overlapsIllegally(complete(trace))).toBe(false);
  });

  it("never overlaps illegally on any track, whatever the spans (seeded random runs)", () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 50; run++) {
      const spans: Span[] = Array.from({ length: 40 }, (_, i) => ({
        name: `step${i % 5}`,
        subject: `svc${Math.floor(random() * 3)}`,
        start: random() * 100,
        duration: random() * 30,
      }));
      const events = complete(toChromeTrace(spans, { command: "build" }));
      expect(events).toHaveLength(spans.length);
      expect(overlapsIllegally(events)).toBe(false);
    }
  });

  it("keeps attributes but drops any that look like credentials", () => {
    const trace = toChromeTrace(
      [
        {
          name: "push",
          subject: "api",
          start: 0,
          duration: 1,
          attrs: { bytes: 10, cached: true, authToken: "s3cret", registry_password: "x" },
        },
      ],
      { command: "push" },
    );
    expect(complete(trace)[0]!.args).toEqual({ bytes: 10, cached: true });
    expect(JSON.stringify(trace)).not.toContain("s3cret");
  });
});

describe("writeChromeTrace", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("writes parseable JSON into a new directory and leaves no temp file", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-trace-"));
    const file = path.join(dir, "out", "trace.json");
    await writeChromeTrace(file, [{ name: "compile", subject: "api", start: 0, duration: 2 }], {
      command: "build",
    });
    const parsed = JSON.parse(await readFile(file, "utf8")) as ChromeTrace;
    expect(complete(parsed)).toMatchObject([{ name: "compile", ts: 0, dur: 2000 }]);
    expect(await readdir(path.join(dir, "out"))).toEqual(["trace.json"]);
  });
});
