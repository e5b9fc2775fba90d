/** The public face of src/report: what other stages may use. */

export type { ReportFlags } from "./finish.js";
export { finishReport } from "./finish.js";
export { formatBytes, formatMs, shortDigest } from "./format.js";
export { createProgress } from "./progress.js";
export type { StepClock } from "./step-clock.js";
export { createStepClock } from "./step-clock.js";
export { formatPercent } from "./summary.js";
export { renderTable } from "./table.js";
export type { Tracer } from "./trace.js";
export { createTracer } from "./trace.js";
