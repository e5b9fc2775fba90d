/**
 * File-system faults as the user sees them. When the operating system refuses a read or a write —
 * the disk is full, the checkout is read-only, a file stands where a directory should be — the fix
 * is the user's, so it is a one-line UserError naming the path and what to do, never a stack trace.
 *
 * `fileSystemFault` is the one mapping: the edges where dray writes (atomic writes, the file lock,
 * the layout) call it to name the path the operating system left out (a write through a file
 * handle carries none), and the renderer calls it for any such error that reaches the CLI unnamed.
 * Codes it does not know (ENOENT, above all) are left alone: a file dray expected and did not find
 * is a bug or a race, and keeps its stack.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { ExitCode, UserError } from "./errors.js";

/** What Node puts on an error from a system call. */
interface SystemError {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** True for an error from a system call (fs, spawn, net), as Node reports them. */
function isSystemError(error: unknown): error is Error & SystemError {
  if (!(error instanceof Error)) return false;
  const { code, errno, syscall } = error as Partial<SystemError> & { errno?: unknown };
  return typeof code === "string" && (typeof errno === "number" || typeof syscall === "string");
}

/** System calls that change the file system; anything else is taken as a read. */
const WRITES = new Set([
  "write",
  "writev",
  "mkdir",
  "mkdtemp",
  "rename",
  "unlink",
  "rmdir",
  "rm",
  "link",
  "symlink",
  "copyfile",
  "utime",
  "futime",
  "chmod",
  "fchmod",
  "chown",
  "ftruncate",
  "fsync",
  "fdatasync",
  "close",
]);

const freeSpace =
  "Free some space and run the command again; `dray cache prune --max-size 0` removes every cached image no tag needs.";

/** The message and hint for one errno code, given the path (or undefined) and whether it was a write. */
type Describe = (where: string | undefined, write: boolean) => [string, string];

const on = (where: string | undefined) => (where ? ` ${where}` : "");

const FAULTS: Record<string, Describe> = {
  ENOSPC: (where) => [`no space left on the device writing${on(where)}`, freeSpace],
  EDQUOT: (where) => [`disk quota exceeded writing${on(where)}`, freeSpace],
  EROFS: (where) => [
    `cannot write${on(where)}: the file system is read-only`,
    "dray writes its images and caches under .dray/ beside dray.yaml; run it in a writable checkout (or a writable copy of it).",
  ],
  EACCES: (where, write) => permission(where, write),
  EPERM: (where, write) => permission(where, write),
  ENOTDIR: (where) => {
    const blocker = where === undefined ? undefined : firstNonDirectory(where);
    return [
      `${blocker ?? where ?? "a path"} is a file, where dray needs a directory`,
      `Move ${blocker ?? "that file"} out of the way (dray keeps its state in the directory .dray/), then run the command again.`,
    ];
  },
  EISDIR: (where) => [
    `${where ?? "a path"} is a directory, where dray needs a file`,
    "Remove or rename that directory, then run the command again.",
  ],
  // rename(2) over a non-empty directory.
  ENOTEMPTY: (where) => [
    `${where ?? "a path"} is a directory, where dray needs a file`,
    "Remove or rename that directory, then run the command again.",
  ],
  EMFILE: (where) => [
    `too many open files${where ? ` (opening ${where})` : ""}`,
    "Raise the limit of open files (e.g. `ulimit -n 65536`), or run fewer builds at once with --jobs.",
  ],
  ENFILE: (where) => [
    `the system has too many open files${where ? ` (opening ${where})` : ""}`,
    "Close other programs or raise the system's limit (fs.file-max), then run the command again.",
  ],
  ENAMETOOLONG: (where) => [
    `file name too long: ${where ?? "(unknown path)"}`,
    "Use shorter names, or move the project to a shorter path.",
  ],
  ELOOP: (where) => [
    `too many levels of symbolic links at ${where ?? "a path"}`,
    "A symlink points (directly or through others) back at itself; fix or remove it.",
  ],
  EIO: (where, write) => [
    `input/output error ${write ? "writing" : "reading"}${on(where)}: the disk or file system failed`,
    "Check the disk (`dmesg` shows what the kernel saw), then run the command again.",
  ],
};

function permission(where: string | undefined, write: boolean): [string, string] {
  return [
    `permission denied ${write ? "writing" : "reading"}${on(where)}`,
    `Check the owner and mode of ${where ?? "the path"} (\`ls -ld\`), or run dray as the user who owns the checkout.`,
  ];
}

/** What an edge knows that the error may not say. */
export interface FaultContext {
  /** The path to name: when the error has none (a write through a file handle), or a clearer one (the file a temp file was to become). */
  path?: string;
  /** The edge was writing (an open for writing reports only "open"). */
  writing?: boolean;
}

/**
 * The UserError for a file-system fault the user can fix (exit 3: the machine is not as dray needs
 * it), or undefined when `error` is something else.
 */
export function fileSystemFault(error: unknown, context: FaultContext = {}): UserError | undefined {
  if (!isSystemError(error)) return undefined;
  let code = error.code;
  // mkdir of a path where a file is: the file is in the way, as with ENOTDIR.
  if (code === "EEXIST" && error.syscall === "mkdir") code = "ENOTDIR";
  const describe = FAULTS[code];
  if (!describe) return undefined;
  const write = context.writing ?? (error.syscall !== undefined && WRITES.has(error.syscall));
  // A rename names its destination when the destination is what is wrong.
  const named =
    context.path ?? (code === "EISDIR" || code === "ENOTEMPTY" ? error.dest : undefined) ?? error.path;
  const [message, hint] = describe(named, write);
  return new UserError(message, { exitCode: ExitCode.environment, hint, cause: error });
}

/** `error` as a file-system fault when it is one, else unchanged: what a `catch` at an edge rethrows. */
export function withFileSystemFault(error: unknown, context: FaultContext = {}): unknown {
  return fileSystemFault(error, context) ?? error;
}

/**
 * The first component of `target` that exists and is not a directory: the file that makes a mkdir
 * or open below it fail with ENOTDIR. Reads the disk, but only when such an error is being shown.
 */
function firstNonDirectory(target: string): string | undefined {
  const absolute = path.resolve(target);
  const parts = absolute.split(path.sep);
  for (let i = 2; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join(path.sep) || path.sep;
    try {
      if (!statSync(prefix).isDirectory()) return prefix;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
