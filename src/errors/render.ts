/**
 * How a failure reaches the user, in every form dray shows it: terminal lines with an exit code,
 * the `error` of a failed service in `--json` output, and the text of dev mode's terminal and
 * dashboard. An error is classified once (describeError); each form is drawn from that.
 */

import { Color, type OutputStyle, paint } from "../terminal/index.js";
import { ExitCode, type ExitCodeValue, RemoteError, UserError } from "./errors.js";
import { fileSystemFault } from "./fs-faults.js";
import { sourceStack } from "./stack-sources.js";

/** What dray shows of an error, whatever the form. */
export type ErrorDescription =
  | {
      /** user: the user can fix it; remote: a registry or engine said no. Shown without a stack. */
      kind: "user" | "remote";
      message: string;
      /** Extra lines under the message (compiler output, config problems); user errors only. */
      details: string | undefined;
      hint: string | undefined;
      exitCode: ExitCodeValue;
    }
  | {
      /** A bug in dray: shown with its stack and a request to report it. */
      kind: "internal";
      message: string;
      stack: string;
      exitCode: ExitCodeValue;
    };

/**
 * Classifies `error` (anything thrown) for display. A file-system fault the user can fix (disk full,
 * read-only, permission denied…) is a user error even when no edge named it one.
 */
export function describeError(thrown: unknown): ErrorDescription {
  const error = fileSystemFault(thrown) ?? thrown;
  if (error instanceof UserError) {
    const { message, details, hint, exitCode } = error;
    return { kind: "user", message, details, hint, exitCode };
  }
  if (error instanceof RemoteError) {
    return {
      kind: "remote",
      message: error.message,
      details: undefined,
      hint: error.hint,
      exitCode: ExitCode.failed,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { kind: "internal", message, stack, exitCode: ExitCode.internal };
}

/** Text to print for an error on the terminal, and the exit code it maps to. */
export function renderError(error: unknown, style: OutputStyle): { text: string; exitCode: ExitCodeValue } {
  const described = describeError(error);
  if (described.kind === "internal") {
    return {
      text: [
        `${paint(style, Color.red, "internal error:")} this is a bug in dray; please report it with the output below.`,
        sourceStack(described.stack),
      ].join("\n"),
      exitCode: described.exitCode,
    };
  }
  const lines = [`${paint(style, Color.red, "error:")} ${described.message}`];
  if (described.details) lines.push(indent(described.details));
  if (described.hint) lines.push(`${paint(style, Color.dim, "hint:")} ${described.hint}`);
  return { text: lines.join("\n"), exitCode: described.exitCode };
}

/** The `error` of a failed service in `dray build --json`: message, and a user error's details and hint. */
export function errorJson(error: unknown): { message: string; details?: string; hint?: string } {
  const described = describeError(error);
  if (described.kind !== "user") return { message: described.message };
  // Keys kept when undefined: JSON.stringify leaves them out, and the key order stays fixed.
  return { message: described.message, details: described.details, hint: described.hint };
}

/** The error's message alone: the `error` of a failed service in `dray deploy --json`, a one-line reply. */
export function errorMessage(error: unknown): string {
  return describeError(error).message;
}

/** The error as dev mode's terminal and dashboard show it: the message, then its details (a compiler's output). */
export function errorText(error: unknown): string {
  const described = describeError(error);
  return described.kind === "user" && described.details
    ? `${described.message}\n${described.details}`
    : described.message;
}

/**
 * The exit code of a command that ran and had a service fail with `error`: a user error's own code,
 * otherwise a plain failure (the error text still says when it is a bug).
 */
export function failureExitCode(error: unknown): ExitCodeValue {
  const described = describeError(error);
  return described.kind === "user" ? described.exitCode : ExitCode.failed;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
