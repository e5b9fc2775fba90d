/** `dray cache check [--repair]`: is every blob, tag and cache entry what its name says? */
import { stat } from "node:fs/promises";
import path from "node:path";
import { type CacheCheckReport, type CheckProblem, checkCache } from "../../cache/index.js";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import { type LayoutStore, openLayout } from "../../oci/index.js";
import { formatBytes } from "../../report/index.js";
import { Color, type OutputStyle, outputStyle, paint } from "../../terminal/index.js";
import type { GlobalOptions } from "../global-options.js";
import { plural, projectDirs } from "./cache.js";

interface CacheCheckFlags extends GlobalOptions {
  json?: boolean;
  repair?: boolean;
}

/** Run `dray cache check`: exit 1 while anything is broken (after `--repair`, only what it could not repair). */
export async function runCacheCheck(flags: CacheCheckFlags): Promise<ExitCodeValue> {
  const { cacheDir, layoutDir, basesDir } = await projectDirs(flags);
  const [images, bases] = await Promise.all([existingLayout(layoutDir), existingLayout(basesDir)]);
  const report = await checkCache({ cacheDir, images, bases, repair: flags.repair ?? false });
  const ok = report.problems.every((problem) => problem.repaired);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ok, ...report }, null, 2)}\n`);
  } else {
    const style = outputStyle(process.stdout, process.env);
    process.stdout.write(`${renderCheck(report, process.cwd(), style)}\n`);
  }
  return ok ? ExitCode.ok : ExitCode.failed;
}

/** The layout at `dir`, or undefined when no build has made it yet (nothing to check there). */
async function existingLayout(dir: string): Promise<LayoutStore | undefined> {
  if (!(await stat(dir).catch(() => undefined))) return undefined;
  return openLayout(dir);
}

/** The human-readable report: one line per problem (what, which, what to do), then a summary. */
export function renderCheck(report: CacheCheckReport, cwd: string, style: OutputStyle): string {
  const shown = (file: string) => path.relative(cwd, file) || file;
  const lines = report.problems.map((problem) => problemLine(problem, shown, style));
  const layouts = report.layouts.map(
    (layout) =>
      `${shown(layout.root)} (${plural(layout.blobs, "blob")}, ${formatBytes(layout.bytes)}, ${plural(layout.tags, "tag")})`,
  );
  const checked = `checked ${[...layouts, plural(report.entries, "cache entry", "cache entries")].join(", ")}`;
  const count = plural(report.problems.length, "problem");
  if (report.problems.length === 0) lines.push(paint(style, Color.green, `${checked}: nothing is broken`));
  else if (report.problems.every((problem) => problem.repaired))
    lines.push(
      paint(style, Color.green, `${checked}: repaired ${count}; the next build rebuilds what was removed`),
    );
  else
    lines.push(
      paint(
        style,
        Color.red,
        `${checked}: ${count}; run \`dray cache check --repair\` to remove what is broken`,
      ),
    );
  return lines.join("\n");
}

function problemLine(problem: CheckProblem, shown: (file: string) => string, style: OutputStyle): string {
  const what = `${problem.subject}: ${problem.problem} (${shown(problem.file)})`;
  return problem.repaired
    ? `${paint(style, Color.green, "repaired")} ${what}: ${problem.fixed}`
    : `${paint(style, Color.red, "broken")} ${what}: \`dray cache check --repair\` will ${problem.fix}`;
}
