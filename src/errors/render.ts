/** How a failure reaches the user: expected errors as a few clear lines, bugs with their stack. */

import { Color, type OutputStyle, paint } from "../report/style.js";
import { ExitCode, type ExitCodeValue, RemoteError, UserError } from "./errors.js";

/** Text to print for an error, and the exit code it maps to. */
export function renderError(error: unknown, style: OutputStyle): { text: string; exitCode: ExitCodeValue } {
  if (error instanceof UserError || error instanceof RemoteError) {
    const lines = [`${paint(style, Color.red, "error:")} ${error.message}`];
    if (error instanceof UserError && error.details) lines.push(indent(error.details));
    if (error.hint) lines.push(`${paint(style, Color.dim, "hint:")} ${error.hint}`);
    return {
      text: lines.join("\n"),
      exitCode: error instanceof UserError ? error.exitCode : ExitCode.failed,
    };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    text: [
      `${paint(style, Color.red, "internal error:")} this is a bug in dray; please report it with the output below.`,
      stack,
    ].join("\n"),
    exitCode: ExitCode.internal,
  };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
