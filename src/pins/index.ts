/**
 * The lock stage: dray.lock pins every registry base's tag to a digest, so builds never resolve
 * a tag on their own. `updateBases` is `dray update-base`; builds call `readLockFile` and
 * `requireLocks`, then pull each base by `pinnedDigest`.
 */
export {
  LOCK_FILE,
  type LockedBase,
  type LockFile,
  lockedDigest,
  lockFilePath,
  missingLocks,
  pinnedDigest,
  readLockFile,
  registryBases,
  requireLocks,
  writeLockFile,
} from "./pin-file.js";
export { LOCK_HINT, parseLockFile, renderLockFile } from "./pin-format.js";
export { type UpdateBasesOptions, type UpdateBasesResult, updateBases } from "./update-base.js";
