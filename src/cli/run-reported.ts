/**
 * How every command ends: the trace file (`--trace`) is written even when it throws, and the
 * timing summary when it ran to the end (see report/finish.ts).
 */
import type { ExitCodeValue } from "../errors/index.js";
import { createTracer, finishReport, type ReportFlags, type Tracer } from "../report/index.js";
import { outputStyle } from "../terminal/index.js";

/** How a command's report differs from the default. */
export interface ReportPolicy {
  /**
   * Print the timing summary only on `--summary`: for commands whose time is one or two steps
   * (plan, graph, cache…), where a table of where it went would be noise after every run.
   */
  summaryOnRequest?: boolean;
}

/** Runs `run` with a tracer, then writes the trace (`--trace`) and prints the summary as `flags` ask. */
export async function runReported(
  command: string,
  flags: ReportFlags,
  run: (tracer: Tracer) => Promise<ExitCodeValue>,
  policy: ReportPolicy = {},
): Promise<ExitCodeValue> {
  const tracer = createTracer();
  let completed = false;
  try {
    const code = await run(tracer);
    completed = true;
    return code;
  } finally {
    await finishReport({
      tracer,
      flags: policy.summaryOnRequest ? { ...flags, summary: flags.summary ?? false } : flags,
      command,
      style: outputStyle(process.stderr, process.env),
      stream: process.stderr,
      env: process.env,
      completed,
    });
  }
}
