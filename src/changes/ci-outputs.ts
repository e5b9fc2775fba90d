/**
 * A change plan in the shapes CI systems read: GitHub Actions step outputs and a job summary, and a
 * GitLab dotenv report. Pure: text in memory; the command writes it where the CI system looks.
 */
import { randomUUID } from "node:crypto";
import type { ServiceChange } from "./detect-changes.js";

/** Services by what CI should do with them. */
export interface CiPlan {
  /** New or changed: to build and deploy. */
  changed: string[];
  /** The same inputs, or rebuilt into the same image: nothing to do. */
  unchanged: string[];
  /** In the baseline, gone from dray.yaml: to remove (`dray deploy --prune`). */
  removed: string[];
}

/** Sorts each service into what CI does with it. */
export function ciPlan(changes: readonly ServiceChange[]): CiPlan {
  const plan: CiPlan = { changed: [], unchanged: [], removed: [] };
  for (const change of changes) {
    if (change.status === "removed") plan.removed.push(change.service);
    else if (change.status === "changed" || change.status === "new") plan.changed.push(change.service);
    else plan.unchanged.push(change.service);
  }
  return plan;
}

/** True when CI has anything to do: a service to build, deploy or remove. */
export function anyChanged(plan: CiPlan): boolean {
  return plan.changed.length > 0 || plan.removed.length > 0;
}

/**
 * Lines for the file `$GITHUB_OUTPUT` names: `changed`, `unchanged` and `removed` as JSON arrays (for
 * `fromJSON()` in a matrix) and `any` ("true"/"false"). Each in the multi-line form, `name<<DELIMITER`,
 * the value, `DELIMITER`, with a delimiter that does not occur in the value, as GitHub's "Setting an
 * output parameter" (workflow commands) asks.
 */
export function githubOutputs(plan: CiPlan, newDelimiter: () => string = defaultDelimiter): string {
  const values: [string, string][] = [
    ["changed", JSON.stringify(plan.changed)],
    ["unchanged", JSON.stringify(plan.unchanged)],
    ["removed", JSON.stringify(plan.removed)],
    ["any", String(anyChanged(plan))],
  ];
  return values
    .map(([name, value]) => {
      let delimiter = newDelimiter();
      while (value.includes(delimiter)) delimiter = newDelimiter();
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join("");
}

function defaultDelimiter(): string {
  return `ghadelimiter_${randomUUID()}`;
}

/** The job summary: a heading, one line of counts, and a GitHub-flavoured Markdown table with the reasons. */
export function githubSummary(changes: readonly ServiceChange[], baselineName: string): string {
  const plan = ciPlan(changes);
  const lines = [
    `### dray plan vs ${escapeMarkdown(baselineName)}`,
    "",
    `${plan.changed.length} to build and deploy, ${plan.unchanged.length} unchanged, ${plan.removed.length} removed`,
    "",
  ];
  if (changes.length > 0) {
    lines.push("| Service | Status | Why |", "| --- | --- | --- |");
    for (const c of changes) {
      lines.push(`| ${escapeMarkdown(c.service)} | ${c.status} | ${escapeMarkdown(c.reason) || "—"} |`);
    }
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Backslash before every ASCII punctuation character Markdown could read as syntax (GFM allows a
 * backslash escape for any of them), including `|`, which would otherwise end a table cell.
 * Line breaks become spaces: a table row is one line.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, "\\$&").replace(/[\r\n]+/g, " ");
}

/**
 * A dotenv file for GitLab's `artifacts:reports:dotenv`: `KEY=value` lines, no quotes, no blank
 * lines or comments, no multi-line values — GitLab's own limits on top of dotenv's. Lists are
 * comma-separated (service names hold no commas or spaces).
 */
export function gitlabDotenv(plan: CiPlan): string {
  return [
    `DRAY_CHANGED=${plan.changed.join(",")}`,
    `DRAY_UNCHANGED=${plan.unchanged.join(",")}`,
    `DRAY_REMOVED=${plan.removed.join(",")}`,
    `DRAY_CHANGED_COUNT=${plan.changed.length}`,
    `DRAY_ANY_CHANGED=${anyChanged(plan)}`,
  ]
    .map((line) => `${line}\n`)
    .join("");
}

/** GitLab rejects a dotenv report of 5 KB or more. */
export const GITLAB_DOTENV_MAX_BYTES = 5 * 1024;
