/**
 * dray's three kinds of failure. Only the CLI entry turns them into exit codes:
 * a UserError is shown without a stack (the user can fix it), a RemoteError says what a
 * registry or engine answered, anything else is a bug and is shown with its stack.
 */

/** Exit codes, stable for scripts. */
export const ExitCode = {
  ok: 0,
  /** The operation ran and failed: a compile error, a verify mismatch. */
  failed: 1,
  /** The input is wrong: bad flags, a broken dray.yaml, an unknown service. */
  usage: 2,
  /** Something dray needs is missing from the machine: a toolchain, a tool. */
  environment: 3,
  /** The user stopped the command (Ctrl-C): 128 + SIGINT, as a shell reports it. */
  interrupted: 130,
  /** A bug in dray (EX_SOFTWARE). */
  internal: 70,
  /** `dray plan --exit-code`: something changed (0: nothing did), so that a pipeline can stop early. */
  changed: 10,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem the user can fix; rendered as `error: message` plus details and a hint, never a stack. */
export class UserError extends Error {
  override name = "UserError";
  readonly exitCode: ExitCodeValue;
  /** Extra lines shown under the message: compiler output, a list of config problems. */
  readonly details: string | undefined;
  /** What to do next. */
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { exitCode?: ExitCodeValue; details?: string; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.details = options.details;
    this.hint = options.hint;
  }
}

/** A registry or engine answered with an error. `retryable` tells a retry decorator whether to try again. */
export class RemoteError extends Error {
  override name = "RemoteError";
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(
    message: string,
    options: { status?: number; retryable?: boolean; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

/** The error of a command the user stopped (Ctrl-C): exit 130, and what was kept or undone. */
export function interruptedError(outcome: string): UserError {
  return new UserError(`interrupted: ${outcome}`, { exitCode: ExitCode.interrupted });
}

/** True for errors the user should see without a stack. */
export function isExpectedError(error: unknown): error is UserError | RemoteError {
  return error instanceof UserError || error instanceof RemoteError;
}
