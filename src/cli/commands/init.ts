/**
 * `dray init`: write a commented dray.yaml for the Go main packages found under the directory; where
 * one exists, show the entries of the main packages it lacks, or add them with --add.
 */
import path from "node:path";
import { ExitCode, type ExitCodeValue } from "../../errors/index.js";
import type { Tracer } from "../../report/index.js";
import { type InitResult, initProject } from "../../workspace/index.js";
import type { GlobalOptions } from "../global-options.js";
import { runReported } from "../run-reported.js";

interface InitFlags extends GlobalOptions {
  force?: boolean;
  add?: boolean;
  project?: string;
  exclude?: string[];
}

/** Run `dray init`. */
export function runInit(flags: InitFlags): Promise<ExitCodeValue> {
  return runReported("init", flags, (tracer) => init(flags, tracer), { summaryOnRequest: true });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What init did, as the lines a user reads. */
export function describeInit(result: InitResult, where: string): string {
  const lines: string[] = [];
  const listed = (names: readonly string[]) => (names.length > 0 ? `: ${names.join(", ")}` : "");
  if (result.kind === "written") {
    lines.push(`wrote ${where} with ${plural(result.services.length, "service")}${listed(result.services)}`);
  } else if (result.kind === "added") {
    lines.push(`added ${plural(result.services.length, "service")} to ${where}${listed(result.services)}`);
  } else if (result.kind === "unchanged") {
    lines.push(`${where} already names every main package dray init finds (${result.known})`);
  } else {
    const count = result.services.length + result.aside.length;
    lines.push(
      `${where} exists; ${plural(count, "main package")} ${count === 1 ? "is" : "are"} not in it yet. ` +
        "Add these entries under `services:` (or run `dray init --add`):",
      "",
      result.entries,
      "",
    );
  }
  if (result.aside.length > 0 && result.kind !== "preview")
    lines.push(`test and tool programs, written commented out: ${result.aside.join(", ")}`);
  if (result.excluded.length > 0)
    lines.push(
      `excluded by --exclude: ${result.excluded.map((e) => `${e.package} (${e.pattern})`).join(", ")}`,
    );
  for (const note of result.notes) lines.push(`note: ${note}`);
  if (result.kind === "written" || result.kind === "added")
    lines.push("next: review it, then run `dray build`");
  return `${lines.join("\n")}\n`;
}

async function init(flags: InitFlags, tracer: Tracer): Promise<ExitCodeValue> {
  const result = await tracer.span("discover and write", () =>
    initProject({
      root: path.resolve(flags.dir),
      ...(flags.force ? { force: true } : {}),
      ...(flags.add ? { add: true } : {}),
      ...(flags.project ? { project: flags.project } : {}),
      ...(flags.exclude ? { exclude: flags.exclude } : {}),
    }),
  );
  const where = path.relative(process.cwd(), result.file) || result.file;
  process.stdout.write(describeInit(result, where));
  return ExitCode.ok;
}
