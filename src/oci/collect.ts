/**
 * Reads host files into tar entries. This is where the host's file system meets the image, so this is
 * where "never follow a symlink or path out of a service's context" (see docs/determinism.md) is enforced.
 */
import type { Stats } from "node:fs";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UserError } from "../errors/index.js";
import { nonUtf8NameError } from "../io/index.js";
import type { TarEntry } from "./tar.js";

/** Where a walk may reach. */
export interface CollectOptions {
  /** The service's context directory: the directory and its relative symlinks must resolve inside it. */
  context: string;
  /**
   * Paths relative to the directory (files, symlinks and directories) to copy; the rest is left out.
   * Default: everything.
   */
  only?: ReadonlySet<string>;
  /**
   * Where the directory was made, when it has been moved since (a command's output, taken into dray's
   * scratch space), as a real path: that is what must lie inside the context, and symlinks are judged
   * from there.
   */
  origin?: string;
  /** What the directory is called in messages, when `hostDir` is dray's scratch copy of it. */
  shown?: string;
}

/** What every step of a walk checks against. */
interface Scope {
  /** Real path of the context. */
  context: string;
  /** Real path the walked directory counts as being at. */
  origin: string;
  only: ReadonlySet<string> | undefined;
}

/**
 * Every file, directory and symlink under `hostDir`, as entries under `imageDir` (which itself becomes a
 * directory entry unless it is "/"). Never follows symlinks: each is kept as a link, and a link whose
 * target is absolute or resolves (lexically, from the link's directory) outside `options.context` is a
 * UserError, as is a `hostDir` that resolves outside it. Sockets, FIFOs and devices are UserErrors.
 * Only the execute bit of a file's mode is kept.
 * File contents are not read: each file entry names its host file (`source`), which the tar streams.
 */
export async function collectDirectory(
  hostDir: string,
  imageDir: string,
  options: CollectOptions,
): Promise<TarEntry[]> {
  // Compare real paths: a context or directory reached through a symlink (/tmp on macOS) would
  // otherwise make every in-context link look like an escape.
  const context = await realDirectory(options.context, "service context");
  const root = await realDirectory(hostDir, "directory to copy");
  const origin = options.origin ?? root;
  if (leaves(context, origin)) {
    throw new UserError(`${hostDir} resolves to ${origin}, outside the service context ${context}`, {
      exitCode: ExitCode.usage,
      hint: "copy what the image needs into the context, or replace the symlink with a copy of its target",
    });
  }
  const imageRoot = imageDir.replace(/^\/+|\/+$/g, "");
  const entries: TarEntry[] = imageRoot === "" ? [] : [{ path: imageRoot, type: "dir" }];
  const scope: Scope = { context, origin, only: options.only };
  await walk({ host: root, shown: options.shown ?? hostDir, image: imageRoot, rel: "" }, scope, entries);
  return entries;
}

/**
 * One regular file as an entry at `imagePath`; `mode` defaults to 0755 or 0644 from the file's execute bits.
 * Its content is not read here: the entry names the file (`source`), and the tar streams it.
 */
export async function collectFile(hostFile: string, imagePath: string, mode?: number): Promise<TarEntry> {
  const stat = await readStat(hostFile);
  if (!stat.isFile()) {
    throw new UserError(`${hostFile} is ${describeKind(stat)}, not a regular file`, {
      exitCode: ExitCode.usage,
      hint: "name a regular file, or copy the directory that contains it",
    });
  }
  return {
    path: imagePath,
    type: "file",
    mode: mode ?? executableMode(stat),
    source: { path: hostFile, size: stat.size },
  };
}

interface Location {
  /** Real path on the host. */
  host: string;
  /** The same path as the user wrote it, for messages. */
  shown: string;
  /** In-image path without leading "/"; "" is the image root. */
  image: string;
  /** Relative to the walked directory, with "/"; "" is the directory itself. */
  rel: string;
}

async function walk(dir: Location, scope: Scope, out: TarEntry[]): Promise<void> {
  for (const name of await readNames(dir)) {
    const here: Location = {
      host: path.join(dir.host, name),
      shown: path.join(dir.shown, name),
      image: dir.image === "" ? name : `${dir.image}/${name}`,
      rel: dir.rel === "" ? name : `${dir.rel}/${name}`,
    };
    if (scope.only && !scope.only.has(here.rel)) continue;
    const stat = await readStat(here.shown, here.host);
    if (stat.isDirectory()) {
      out.push({ path: here.image, type: "dir" });
      await walk(here, scope, out);
    } else if (stat.isFile()) {
      out.push({
        path: here.image,
        type: "file",
        mode: executableMode(stat),
        source: {
          path: here.host,
          size: stat.size,
          ...(here.shown !== here.host ? { shown: here.shown } : {}),
        },
      });
    } else if (stat.isSymbolicLink()) {
      out.push({ path: here.image, type: "symlink", linkTarget: await checkedLinkTarget(here, scope) });
    } else {
      throw new UserError(
        `${here.shown} is ${describeKind(stat)}; images can only contain files, directories and symlinks`,
        {
          exitCode: ExitCode.usage,
          hint: "move it out of the directory that is copied into the image",
        },
      );
    }
  }
}

/** Directory entries in byte order of their names; writeTar sorts anyway, but the walk itself should not depend on the file system. */
async function readNames(dir: Location): Promise<string[]> {
  const raw = await readdir(dir.host, { encoding: "buffer" });
  const names = raw.sort(Buffer.compare).map((bytes) => {
    const name = bytes.toString("utf8");
    // A name that is not UTF-8 would be changed by decoding, and could even collide with another.
    if (!Buffer.from(name, "utf8").equals(bytes)) throw nonUtf8NameError(dir.shown, bytes);
    return name;
  });
  return names;
}

async function checkedLinkTarget(link: Location, scope: Scope): Promise<string> {
  const target = await readlink(link.host);
  // Judged from where the link was made: a moved output's links point where they did in the context.
  const resolved = path.resolve(path.dirname(path.join(scope.origin, link.rel)), target);
  if (path.isAbsolute(target) || leaves(scope.context, resolved)) {
    throw new UserError(
      `symlink ${link.shown} points to ${target}, outside the service context ${scope.context}; symlinks must stay inside the service context`,
      {
        exitCode: ExitCode.usage,
        hint: "use a relative link to a path inside the context, or replace the link with a copy of its target",
      },
    );
  }
  return target;
}

/** True when `p` is not `dir` or below it (lexically: both are real paths here). */
function leaves(dir: string, p: string): boolean {
  const relative = path.relative(dir, p);
  return relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

function executableMode(stat: Stats): number {
  return stat.mode & 0o111 ? 0o755 : 0o644;
}

function describeKind(stat: Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isSymbolicLink()) return "a symlink";
  if (stat.isSocket()) return "a socket";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return "a device";
  return "not a regular file";
}

async function realDirectory(dir: string, role: string): Promise<string> {
  const real = await realpath(dir).catch((error: unknown) => {
    throw fsUserError(`${role} ${dir}`, error);
  });
  if (!(await lstat(real)).isDirectory()) {
    throw new UserError(`${role} ${dir} is not a directory`, { exitCode: ExitCode.usage });
  }
  return real;
}

async function readStat(shown: string, host = shown): Promise<Stats> {
  return lstat(host).catch((error: unknown) => {
    throw fsUserError(shown, error);
  });
}

/** Missing and unreadable files are the user's to fix; anything else stays an internal error. */
function fsUserError(what: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return new UserError(`${what} does not exist`, { exitCode: ExitCode.usage, cause: error });
  if (code === "EACCES" || code === "EPERM") {
    return new UserError(`cannot read ${what}: permission denied`, {
      exitCode: ExitCode.usage,
      cause: error,
    });
  }
  return error;
}
