/** dray's errors and the one place that turns them into what the user sees. */
export {
  ExitCode,
  type ExitCodeValue,
  interruptedError,
  isExpectedError,
  RemoteError,
  UserError,
} from "./errors.js";
export { type FaultContext, fileSystemFault, withFileSystemFault } from "./fs-faults.js";
export {
  describeError,
  type ErrorDescription,
  errorJson,
  errorMessage,
  errorText,
  failureExitCode,
  renderError,
} from "./render.js";
