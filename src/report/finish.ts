/**
 * The end of every command that records spans: the trace file (`--trace`) and the timing summary.
 * One helper so that each command's ending reads the same and the policy lives in one place.
 */
import path from "node:path";
import { errorMessage } from "../errors/index.js";
import { Color, type OutputStyle, paint } from "../terminal/index.js";
import { writeChromeTrace } from "./chrome-trace.js";
import { renderSpanSummary } from "./summary.js";
import type { Tracer } from "./trace.js";

/** The global flags that shape a command's report. */
export interface ReportFlags {
  /** Directory relative paths are resolved from (`--dir`). */
  dir: string;
  /** `--trace <file>`: write a Chrome trace there. */
  trace?: string;
  /** `--json`: stdout is for machines, so no summary. */
  json?: boolean;
  /** `--summary` (true), `--no-summary` (false) or neither (undefined: decided by the terminal). */
  summary?: boolean;
}

/** Where the summary and notices go: a terminal stream or a test fake. */
export interface ReportStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** What `finishReport` needs. */
export interface FinishOptions {
  tracer: Tracer;
  flags: ReportFlags;
  /** The command's name, recorded in the trace. */
  command: string;
  style: OutputStyle;
  stream: ReportStream;
  /** Read for CI only. */
  env: NodeJS.ProcessEnv;
  /** False when the command threw: the trace is still written, but the error, not a summary, is the last word. */
  completed?: boolean;
}

/**
 * Whether to print the timing summary. `--summary`/`--no-summary` decide when given; `--json` never
 * gets one. Otherwise it is printed on a terminal and in CI (where logs are read later and timings
 * are most useful), but not when output is piped locally, where it would only be noise to a script.
 */
export function shouldPrintSummary(
  flags: ReportFlags,
  stream: ReportStream,
  env: NodeJS.ProcessEnv,
): boolean {
  if (flags.json) return false;
  if (flags.summary !== undefined) return flags.summary;
  const ci = Boolean(env["CI"]) && env["CI"] !== "false";
  return Boolean(stream.isTTY) || ci;
}

/**
 * Write the trace if `--trace` was given and print the summary when `shouldPrintSummary` says so.
 * Never throws: it runs in `finally` blocks, where an error would hide the command's own; a trace that
 * cannot be written becomes a warning on `stream`.
 */
export async function finishReport(options: FinishOptions): Promise<void> {
  const { tracer, flags, style, stream } = options;
  const spans = tracer.spans();
  if (options.completed !== false && spans.length > 0 && shouldPrintSummary(flags, stream, options.env)) {
    stream.write(`\n${renderSpanSummary(spans, style, { wallMs: tracer.now() })}\n`);
  }
  if (flags.trace === undefined) return;
  const file = path.resolve(flags.dir, flags.trace);
  try {
    await writeChromeTrace(file, spans, { command: options.command, pid: process.pid });
    if (!flags.json) stream.write(`${paint(style, Color.dim, `trace written to ${flags.trace}`)}\n`);
  } catch (error) {
    stream.write(
      `${paint(style, Color.yellow, `warning: could not write the trace to ${file}: ${errorMessage(error)}`)}\n`,
    );
  }
}
