/** Where `dray plan` puts its answer: a table or JSON for people and scripts, or what a CI system reads. */
import { appendFile } from "node:fs/promises";
import path from "node:path";
import {
  anyChanged,
  ciPlan,
  countStatuses,
  GITLAB_DOTENV_MAX_BYTES,
  githubOutputs,
  githubSummary,
  gitlabDotenv,
  type ServiceChange,
} from "../../changes/index.js";
import { ExitCode, type ExitCodeValue, UserError } from "../../errors/index.js";
import { writeFileAtomic } from "../../io/index.js";
import { renderTable } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";

/** The formats of `dray plan --format`. */
export type PlanFormat = "table" | "json" | "github" | "gitlab";

/** What decides where and how the plan is written. */
export interface PlanOutputFlags {
  dir: string;
  json?: boolean;
  format?: PlanFormat;
  output?: string;
  exitCode?: boolean;
}

/** Writes the plan in the requested format; returns the exit code (`--exit-code`: 10 when something changed). */
export async function writePlan(
  changes: ServiceChange[],
  baselineName: string,
  flags: PlanOutputFlags,
  env: NodeJS.ProcessEnv,
): Promise<ExitCodeValue> {
  const format: PlanFormat = flags.json ? "json" : (flags.format ?? "table");
  if (format === "github") {
    if (flags.output) {
      throw new UserError("--output does not go with --format github", {
        exitCode: ExitCode.usage,
        hint: "GitHub reads step outputs from $GITHUB_OUTPUT and the summary from $GITHUB_STEP_SUMMARY; dray writes both.",
      });
    }
    await writeGithub(changes, baselineName, env);
  } else {
    // A file gets no colours.
    const style = flags.output ? { interactive: false, color: false } : outputStyle(process.stdout, env);
    const text =
      format === "json"
        ? `${JSON.stringify({ baseline: baselineName, services: changes }, null, 2)}\n`
        : format === "gitlab"
          ? checkedDotenv(changes)
          : planTable(changes, baselineName, style);
    if (flags.output) await writeFileAtomic(path.resolve(flags.dir, flags.output), text);
    else process.stdout.write(text);
  }
  return flags.exitCode && anyChanged(ciPlan(changes)) ? ExitCode.changed : ExitCode.ok;
}

/** The table and the one-line summary under it. */
export function planTable(changes: ServiceChange[], baselineName: string, style: OutputStyle): string {
  const rows = changes.map((e) => [e.service, paintStatus(style, e.status), e.reason]);
  const counts = countStatuses(changes);
  const summary = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  return `${renderTable(["SERVICE", "STATUS", "WHY"], rows)}\n${changes.length} service${changes.length === 1 ? "" : "s"} vs ${baselineName}: ${summary || "nothing"}\n`;
}

/**
 * Step outputs to `$GITHUB_OUTPUT` and the summary to `$GITHUB_STEP_SUMMARY` (both appended, as
 * every step does); the table goes to the log. Outside GitHub Actions (neither set) both are printed.
 */
async function writeGithub(changes: ServiceChange[], baselineName: string, env: NodeJS.ProcessEnv) {
  const outputs = githubOutputs(ciPlan(changes));
  const summary = githubSummary(changes, baselineName);
  const outputFile = env["GITHUB_OUTPUT"];
  const summaryFile = env["GITHUB_STEP_SUMMARY"];
  if (outputFile) await appendFile(outputFile, outputs);
  else process.stdout.write(outputs);
  if (summaryFile) await appendFile(summaryFile, summary);
  else process.stdout.write(summary);
  if (outputFile && summaryFile)
    process.stdout.write(planTable(changes, baselineName, outputStyle(process.stdout, env)));
}

function checkedDotenv(changes: ServiceChange[]): string {
  const text = gitlabDotenv(ciPlan(changes));
  if (Buffer.byteLength(text) >= GITLAB_DOTENV_MAX_BYTES) {
    throw new UserError("the plan is too long for a GitLab dotenv report (GitLab takes less than 5 KB)", {
      exitCode: ExitCode.failed,
      hint: "Use `dray plan --format json --output plan.json` and pass the file on as an artifact.",
    });
  }
  return text;
}

/** A status in its colour. */
export function paintStatus(style: OutputStyle, status: ServiceChange["status"]): string {
  const color = {
    unchanged: Color.dim,
    changed: Color.yellow,
    "rebuilt-identical": Color.cyan,
    new: Color.green,
    removed: Color.red,
  }[status];
  return paint(style, color, status);
}
