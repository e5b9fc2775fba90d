/**
 * Recorded spans as a Chrome trace file (Trace Event Format), which Perfetto (ui.perfetto.dev) and
 * chrome://tracing open: one labelled track per subject, so a parallel build reads as a timeline.
 * https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
 */

import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../io/index.js";
import { compareCodeUnits } from "../oci/index.js";
import type { Span } from "./trace.js";

/** The track name of spans that belong to no service (config, go list, tagging…). */
export const DEFAULT_TRACK = "dray";

/** What the trace says about the run as a whole. */
export interface TraceMeta {
  /** The dray command, e.g. "build". */
  command: string;
  /** Shown as the process in the viewer; defaults to 1 so that the same spans give the same file. */
  pid?: number;
}

/** A complete event: one span on one track (thread). */
export interface CompleteEvent {
  name: string;
  cat: string;
  ph: "X";
  /** Microseconds since the tracer started. */
  ts: number;
  /** Microseconds. */
  dur: number;
  pid: number;
  tid: number;
  args: Record<string, string | number | boolean>;
}

/** A metadata event: names and orders the process and its tracks. */
export interface MetadataEvent {
  name: "process_name" | "thread_name" | "thread_sort_index";
  ph: "M";
  pid: number;
  tid: number;
  args: { name: string } | { sort_index: number };
}

/** The JSON object format of a trace file. */
export interface ChromeTrace {
  traceEvents: (MetadataEvent | CompleteEvent)[];
  displayTimeUnit: "ms";
  otherData: Record<string, string | number>;
}

/**
 * Attribute names that look like credentials. Spans promise never to carry any; trace files get
 * attached to bug reports, so this is a second fence rather than the only one.
 */
const SECRET_ATTR = /token|secret|password|passwd|credential|auth|cookie|private.?key/i;

/** Convert spans into a trace; only span names, subjects and attributes go in, never the environment. */
export function toChromeTrace(spans: readonly Span[], meta: TraceMeta): ChromeTrace {
  const pid = meta.pid ?? 1;
  const bySubject = new Map<string, TimedSpan[]>();
  for (const span of spans) {
    const subject = span.subject ?? DEFAULT_TRACK;
    let list = bySubject.get(subject);
    if (!list) {
      list = [];
      bySubject.set(subject, list);
    }
    list.push(timed(span));
  }
  // Spans without a subject first (they frame the run), then subjects in a stable, bytewise order.
  const subjects = [...bySubject.keys()].sort((a, b) =>
    a === DEFAULT_TRACK ? -1 : b === DEFAULT_TRACK ? 1 : compareCodeUnits(a, b),
  );

  const metadata: MetadataEvent[] = [
    { name: "process_name", ph: "M", pid, tid: 0, args: { name: `dray ${meta.command}` } },
  ];
  const events: CompleteEvent[] = [];
  let tid = 0;
  for (const subject of subjects) {
    const lanes = assignLanes(bySubject.get(subject)!);
    for (const [index, lane] of lanes.entries()) {
      tid++;
      const name = index === 0 ? subject : `${subject} (${index + 1})`;
      metadata.push({ name: "thread_name", ph: "M", pid, tid, args: { name } });
      metadata.push({ name: "thread_sort_index", ph: "M", pid, tid, args: { sort_index: tid } });
      for (const span of lane) events.push(completeEvent(span, pid, tid));
    }
  }
  events.sort((a, b) => a.ts - b.ts || a.tid - b.tid || b.dur - a.dur);
  return {
    traceEvents: [...metadata, ...events],
    displayTimeUnit: "ms",
    otherData: { tool: "dray", command: meta.command, spans: spans.length },
  };
}

/** Write the trace of `spans` to `file` atomically: a viewer (or CI artifact upload) never sees half a file. */
export async function writeChromeTrace(file: string, spans: readonly Span[], meta: TraceMeta): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await mkdir(dir, { recursive: true });
  const json = JSON.stringify(toChromeTrace(spans, meta));
  await writeFileAtomic(path.resolve(file), `${json}\n`);
}

/** A span on whole microseconds; `end` is kept so that nesting is decided on exactly the numbers written. */
interface TimedSpan {
  span: Span;
  ts: number;
  end: number;
}

function timed(span: Span): TimedSpan {
  // Rounding start and end (not start and duration) keeps a child that ends with its parent inside it.
  const ts = Math.max(0, Math.round(span.start * 1000));
  const end = Math.max(ts, Math.round((span.start + span.duration) * 1000));
  return { span, ts, end };
}

/**
 * Split one subject's spans into lanes in which every two spans are either disjoint or nested,
 * because viewers draw complete events of one thread as a stack and mangle partial overlaps
 * (two platforms of one service packing while another compiles, say). Greedy first fit: each
 * lane keeps the stack of spans still open; a span fits a lane when, after closing the spans that
 * ended before it starts, it lies inside the innermost open one (or nothing is open).
 */
export function assignLanes<T extends { ts: number; end: number }>(spans: readonly T[]): T[][] {
  // Outer spans before inner ones that start at the same time, so parents open first.
  const ordered = [...spans].sort((a, b) => a.ts - b.ts || b.end - a.end);
  const lanes: { spans: T[]; open: number[] }[] = [];
  for (const span of ordered) {
    let lane = lanes.find((candidate) => fits(candidate.open, span));
    if (!lane) {
      lane = { spans: [], open: [] };
      lanes.push(lane);
    }
    lane.spans.push(span);
    lane.open.push(span.end);
  }
  return lanes.map((lane) => lane.spans);
}

function fits(open: number[], span: { ts: number; end: number }): boolean {
  // Spans come in start order, so anything that ended by now stays closed for every later span too.
  while (open.length > 0 && open[open.length - 1]! <= span.ts) open.pop();
  return open.length === 0 || open[open.length - 1]! >= span.end;
}

function completeEvent(timedSpan: TimedSpan, pid: number, tid: number): CompleteEvent {
  const { span, ts, end } = timedSpan;
  return { name: span.name, cat: "dray", ph: "X", ts, dur: end - ts, pid, tid, args: safeAttrs(span) };
}

function safeAttrs(span: Span): Record<string, string | number | boolean> {
  const args: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(span.attrs ?? {})) {
    if (!SECRET_ATTR.test(key)) args[key] = value;
  }
  return args;
}
