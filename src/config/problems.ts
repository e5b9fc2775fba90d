/**
 * Problems found in dray.yaml, and how they are shown: collected from every check, sorted by
 * position and reported together in one UserError, so a user fixes them in one pass.
 */
import { ExitCode, UserError } from "../errors/index.js";
import type { Anchor, Locator, Position } from "./locator.js";
import type { ConfigPath } from "./types.js";

/** Where a problem is: an entry of the document, a source offset (YAML syntax), or the environment. */
export type Where =
  | { kind: "entry"; path: ConfigPath; anchor: Anchor }
  | { kind: "offset"; offset: number }
  | { kind: "environment"; variable: string };

/** One thing wrong with the configuration, before it is given a line and column. */
export interface Problem {
  where: Where;
  /** Says what is wrong and what is allowed; never a stack or an internal name. */
  message: string;
}

/** A problem with its position, ready to show. */
export interface LocatedProblem {
  /** "dray.yaml:12:5", or "$SOURCE_DATE_EPOCH" for the environment. */
  location: string;
  /** Undefined for problems outside the file. */
  position: Position | undefined;
  /** "services.api.ports[1]", or "" when the problem is about the file as a whole. */
  path: string;
  message: string;
}

/** A problem at an entry of the document. */
export function problemAt(path: ConfigPath, anchor: Anchor, message: string): Problem {
  return { where: { kind: "entry", path, anchor }, message };
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A path as users read it: `services.api.files[0].from`, with odd keys quoted (`env["my.var"]`). */
export function formatPath(path: ConfigPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (plainKey.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Gives each problem its position and sorts them as they appear in the file. */
export function locateProblems(
  problems: readonly Problem[],
  locator: Locator,
  display: string,
): LocatedProblem[] {
  const located = problems.map((problem): LocatedProblem => {
    const { where, message } = problem;
    if (where.kind === "environment") {
      return { location: `$${where.variable}`, position: undefined, path: "", message };
    }
    const position =
      where.kind === "entry" ? locator.position(where.path, where.anchor) : locator.offset(where.offset);
    const path = where.kind === "entry" ? formatPath(where.path) : "";
    return { location: `${display}:${position.line}:${position.column}`, position, path, message };
  });
  // Problems outside the file come last; within the file, in reading order (sort is stable).
  const rank = (p: LocatedProblem) =>
    p.position ? p.position.line * 1e6 + p.position.column : Number.MAX_SAFE_INTEGER;
  return located.sort((a, b) => rank(a) - rank(b));
}

/** One line of the report: `dray.yaml:12:5  services.api.prots: unknown key "prots" — …`. */
export function renderProblem(problem: LocatedProblem): string {
  return `${problem.location}  ${problem.path ? `${problem.path}: ` : ""}${problem.message}`;
}

/** The single error that reports every problem of a configuration file. */
export function configError(display: string, problems: readonly LocatedProblem[]): UserError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new UserError(`${display} has ${count}`, {
    exitCode: ExitCode.usage,
    details: problems.map(renderProblem).join("\n"),
    hint: "See the configuration reference in README.md, or point your editor at schema/dray.schema.json.",
  });
}
