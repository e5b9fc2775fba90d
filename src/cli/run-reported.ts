/**
 * How a command that records spans ends: the trace file (`--trace`) is written even when it
 * throws, and the timing summary when it ran to the end (see report/finish.ts).
 */
import type { ExitCodeValue } from "../errors/index.js";
import { createTracer, finishReport, type ReportFlags, type Tracer } from "../report/index.js";
import { outputStyle } from "../terminal/index.js";

export async function runReported(
  command: string,
  flags: ReportFlags,
  run: (tracer: Tracer) => Promise<ExitCodeValue>,
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
      flags,
      command,
      style: outputStyle(process.stderr, process.env),
      stream: process.stderr,
      env: process.env,
      completed,
    });
  }
}
