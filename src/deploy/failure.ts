/** The error a target throws when a new version does not become healthy. */
import { UserError } from "../errors/index.js";
import type { FailureDetails } from "./types.js";

/**
 * A service whose new version failed: the message says what happened, the details show the new
 * version's last log lines, and `rolledBack` tells whether the old version is serving again.
 */
export class DeployFailure extends UserError {
  override name = "DeployFailure";
  readonly failure: FailureDetails;

  constructor(message: string, failure: FailureDetails, options: { hint?: string; cause?: unknown } = {}) {
    const details = [
      failure.cause ? `cause: ${failure.cause}` : undefined,
      failure.logs.length > 0
        ? `last log lines of the new version:\n${failure.logs.map((l) => `  ${l}`).join("\n")}`
        : failure.logNote,
    ].filter((line): line is string => line !== undefined);
    super(message, {
      ...(details.length > 0 ? { details: details.join("\n") } : {}),
      hint:
        options.hint ??
        (failure.rolledBack
          ? `The previous version of ${failure.service} is running again. Fix the service and deploy again.`
          : `Nothing of ${failure.service} was running before; fix the service and deploy again.`),
      ...(options.cause ? { cause: options.cause } : {}),
    });
    this.failure = failure;
  }
}
