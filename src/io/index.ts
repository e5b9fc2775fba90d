/** The public face of src/io: what other stages may use. */
export { syncDirectory, TEMP_PREFIX, writeFileAtomic } from "./atomic-write.js";
export { ensureDirectory } from "./ensure-directory.js";
export type { ExecResult } from "./exec.js";
export { exec, tailLines } from "./exec.js";
export type { LockRecord } from "./file-lock.js";
export { acquireFileLock, processIsAlive, withFileLock } from "./file-lock.js";
export { copyFileAtomic, moveFileAtomic } from "./move-file.js";
export { type DirectoryEntry, nonUtf8NameError, readDirectory, showName } from "./read-directory.js";
export { makeScratch, type ScratchKind, sweepStaleScratch } from "./scratch.js";
export { isDirectorySignature, statSignature, statSignatures } from "./stat-signature.js";
export { DRAY_VERSION, USER_AGENT } from "./version.js";
