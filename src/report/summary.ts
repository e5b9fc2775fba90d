/**
 * "Where did the time go?" in a few lines: recorded spans summed per step name across all subjects,
 * printed at the end of a command.
 */

import { compareCodeUnits } from "../oci/index.js";
import { Color, type OutputStyle, paint } from "../terminal/index.js";
import { formatMs } from "./format.js";
import { renderTable } from "./table.js";
import type { Span } from "./trace.js";

/** One step name's time across every subject. */
export interface StepTotal {
  name: string;
  count: number;
  /** Sum of the spans' durations: more than the wall time when the step ran in parallel. */
  totalMs: number;
  /** Milliseconds during which at least one span of the step was running. */
  busyMs: number;
  /** The subject that spent the most time in this step, if any span of it has a subject. */
  slowest: { subject: string; ms: number } | undefined;
}

/** The aggregated spans of one run. */
export interface SpanSummary {
  steps: StepTotal[];
  /** From the first span's start to the last span's end. */
  wallMs: number;
}

/**
 * Aggregate spans per step name, sorted by total time descending (then by name, for a stable order).
 * `wallMs` is the command's own run time when known (tracer.now() at the end); else first start to last end.
 */
export function summarizeSpans(spans: readonly Span[], wallMs?: number): SpanSummary {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    let group = groups.get(span.name);
    if (!group) {
      group = [];
      groups.set(span.name, group);
    }
    group.push(span);
  }
  const steps = [...groups].map(([name, group]) => stepTotal(name, group));
  steps.sort((a, b) => b.totalMs - a.totalMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { steps, wallMs: wallMs ?? wallTime(spans) };
}

/**
 * An aligned table of STEP, COUNT, TOTAL, OF WALL and SLOWEST subject, then the wall time.
 * OF WALL is the part of the wall time during which the step was running at all — not TOTAL divided
 * by the wall time, which passes 100% as soon as services compile in parallel and then says little.
 */
export function renderSpanSummary(
  spans: readonly Span[],
  style: OutputStyle,
  options: { wallMs?: number } = {},
): string {
  const { steps, wallMs } = summarizeSpans(spans, options.wallMs);
  if (steps.length === 0) return paint(style, Color.dim, "no steps recorded");
  const rows = steps.map((step) => [
    step.name,
    String(step.count),
    formatMs(step.totalMs),
    formatPercent(wallMs <= 0 ? 0 : Math.min(1, step.busyMs / wallMs)),
    step.slowest ? `${step.slowest.subject} ${paint(style, Color.dim, formatMs(step.slowest.ms))}` : "",
  ]);
  const table = renderTable(["STEP", "COUNT", "TOTAL", "OF WALL", "SLOWEST"], rows, [1, 2, 3]);
  return `${table}\n${paint(style, Color.dim, `wall time ${formatMs(wallMs)}`)}`;
}

/** 0.123 → "12%"; below 1% but not zero shows "<1%" so a step that ran never reads as "0%". */
export function formatPercent(fraction: number): string {
  if (fraction > 0 && fraction < 0.005) return "<1%";
  return `${Math.round(fraction * 100)}%`;
}

function stepTotal(name: string, group: readonly Span[]): StepTotal {
  let totalMs = 0;
  const perSubject = new Map<string, number>();
  for (const span of group) {
    totalMs += span.duration;
    if (span.subject !== undefined)
      perSubject.set(span.subject, (perSubject.get(span.subject) ?? 0) + span.duration);
  }
  let slowest: StepTotal["slowest"];
  // Ties go to the first subject in bytewise order, so the output does not depend on recording order.
  for (const [subject, ms] of [...perSubject].sort(([a], [b]) => compareCodeUnits(a, b))) {
    if (!slowest || ms > slowest.ms) slowest = { subject, ms };
  }
  return { name, count: group.length, totalMs, busyMs: unionLength(group), slowest };
}

/** Length of the union of the spans' intervals: overlapping spans count once. */
function unionLength(spans: readonly Span[]): number {
  const intervals = spans
    .map((span) => [span.start, span.start + span.duration] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let current: [number, number] | undefined;
  for (const [start, end] of intervals) {
    if (current && start <= current[1]) {
      current[1] = Math.max(current[1], end);
      continue;
    }
    if (current) total += current[1] - current[0];
    current = [start, end];
  }
  return current ? total + current[1] - current[0] : total;
}

function wallTime(spans: readonly Span[]): number {
  if (spans.length === 0) return 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const span of spans) {
    first = Math.min(first, span.start);
    last = Math.max(last, span.start + span.duration);
  }
  return last - first;
}
