import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { finishReport, type ReportFlags, shouldPrintSummary } from "./finish.js";
import { formatPercent, renderSpanSummary, summarizeSpans } from "./summary.js";
import { createTracer, type Span } from "./trace.js";

const plain = { interactive: false, color: false };

const build: Span[] = [
  { name: "load config", start: 0, duration: 10 },
  { name: "compile", subject: "api linux/amd64", start: 10, duration: 600 },
  { name: "compile", subject: "web linux/amd64", start: 10, duration: 900 },
  { name: "pack", subject: "api linux/amd64", start: 610, duration: 20 },
  { name: "pack", subject: "api linux/amd64", start: 630, duration: 20 },
  { name: "pack", subject: "web linux/amd64", start: 910, duration: 30 },
  { name: "write", subject: "api", start: 650, duration: 50 },
  { name: "write", subject: "web", start: 940, duration: 60 },
];

describe("summarizeSpans", () => {
  it("totals each step across subjects, with its busy time and slowest subject, largest first", () => {
    const { steps, wallMs } = summarizeSpans(build);
    expect(wallMs).toBe(1000);
    expect(steps).toEqual([
      {
        name: "compile",
        count: 2,
        totalMs: 1500,
        busyMs: 900,
        slowest: { subject: "web linux/amd64", ms: 900 },
      },
      { name: "write", count: 2, totalMs: 110, busyMs: 110, slowest: { subject: "web", ms: 60 } },
      { name: "pack", count: 3, totalMs: 70, busyMs: 70, slowest: { subject: "api linux/amd64", ms: 40 } },
      { name: "load config", count: 1, totalMs: 10, busyMs: 10, slowest: undefined },
    ]);
  });

  const wall: { description: string; spans: Span[]; given?: number; want: number }[] = [
    { description: "no spans take no time", spans: [], want: 0 },
    {
      description: "first start to last end",
      spans: [
        { name: "a", start: 5, duration: 10 },
        { name: "b", start: 8, duration: 20 },
      ],
      want: 23,
    },
    { description: "the command's own time wins when given", spans: build, given: 1200, want: 1200 },
  ];
  it.each(wall)("wall time: $description", ({ spans, given, want }) => {
    expect(summarizeSpans(spans, given).wallMs).toBe(want);
  });
});

describe("renderSpanSummary", () => {
  it("prints an aligned table and the wall time", () => {
    expect(renderSpanSummary(build, plain).split("\n")).toEqual([
      "STEP         COUNT  TOTAL  OF WALL  SLOWEST",
      "compile          2  1.50s      90%  web linux/amd64 900ms",
      "write            2  110ms      11%  web 60ms",
      "pack             3   70ms       7%  api linux/amd64 40ms",
      "load config      1   10ms       1%",
      "wall time 1.00s",
    ]);
  });

  it("says so when nothing was recorded", () => {
    expect(renderSpanSummary([], plain)).toBe("no steps recorded");
  });

  it.each([
    [0, "0%"],
    [0.001, "<1%"],
    [0.123, "12%"],
    [1, "100%"],
  ])("formats %d as %s", (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });
});

describe("shouldPrintSummary", () => {
  const cases: {
    description: string;
    flags: Partial<ReportFlags>;
    tty: boolean;
    env: NodeJS.ProcessEnv;
    want: boolean;
  }[] = [
    { description: "on a terminal", flags: {}, tty: true, env: {}, want: true },
    { description: "in CI without a terminal", flags: {}, tty: false, env: { CI: "true" }, want: true },
    { description: "not when piped locally", flags: {}, tty: false, env: {}, want: false },
    { description: "CI=false is not CI", flags: {}, tty: false, env: { CI: "false" }, want: false },
    { description: "--summary forces it", flags: { summary: true }, tty: false, env: {}, want: true },
    { description: "--no-summary silences it", flags: { summary: false }, tty: true, env: {}, want: false },
    {
      description: "--json never gets one",
      flags: { json: true, summary: true },
      tty: true,
      env: {},
      want: false,
    },
  ];
  it.each(cases)("$description", ({ flags, tty, env, want }) => {
    expect(shouldPrintSummary({ dir: "/", ...flags }, { isTTY: tty, write: () => true }, env)).toBe(want);
  });
});

describe("finishReport", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(flags: Partial<ReportFlags>, completed: boolean) {
    dir ??= await mkdtemp(path.join(os.tmpdir(), "dray-finish-"));
    let t = 0;
    const tracer = createTracer(() => t);
    await tracer.span(
      "compile",
      async () => {
        t += 40;
      },
      { subject: "api" },
    );
    let out = "";
    await finishReport({
      tracer,
      flags: { dir, ...flags },
      command: "build",
      style: plain,
      stream: {
        isTTY: false,
        write: (text: string) => {
          out += text;
        },
      },
      env: {},
      completed,
    });
    return out;
  }

  it("writes the trace relative to --dir and prints the summary when asked", async () => {
    const out = await run({ trace: "t/trace.json", summary: true }, true);
    expect(out).toContain("compile      1   40ms     100%  api 40ms");
    expect(out).toContain("trace written to t/trace.json");
    const trace = JSON.parse(await readFile(path.join(dir!, "t", "trace.json"), "utf8"));
    expect(trace.otherData.command).toBe("build");
  });

  it("still writes the trace when the command failed, without a summary", async () => {
    const out = await run({ trace: "trace.json", summary: true }, false);
    expect(out).toBe("trace written to trace.json\n");
    expect(
      JSON.parse(await readFile(path.join(dir!, "trace.json"), "utf8")).traceEvents.length,
    ).toBeGreaterThan(0);
  });

  it("turns a trace that cannot be written into a warning instead of an error", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-finish-"));
    await writeFile(path.join(dir, "file"), "not a directory");
    const out = await run({ trace: "file/trace.json" }, true);
    expect(out).toMatch(/^warning: could not write the trace to .*file[/\\]trace\.json: /);
  });
});
