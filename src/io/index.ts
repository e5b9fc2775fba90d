/** The public face of src/io: what other stages may use. */
export { syncDirectory, TEMP_PREFIX, writeFileAtomic } from "./atomic-write.js";
export { ensureDirectory } from "./ensure-directory.js";
export type { ExecResult } from "./exec.js";
export { exec, tailLines } from "./exec.js";
export type { LockRecord } from "./file-lock.js";
export { acquireFileLock, withFileLock } from "./file-lock.js";
export { statSignature, statSignatures } from "./stat-signature.js";
export { DRAY_VERSION, USER_AGENT } from "./version.js";
