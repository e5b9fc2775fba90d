/**
 * Putting files into a running container through the engine's archive API: no shell, tar or any
 * other program is needed in the image (a FROM-scratch Go image has none). The engine unpacks as
 * root into the container's file system, replacing each file (unlink + create), so even the
 * running binary can be replaced.
 */
import path from "node:path";
import { writeTar } from "../oci/index.js";
import type { EngineClient } from "./client.js";
import { engineError } from "./client.js";

/** A file for the container: its absolute path there, its bytes and its mode. */
export interface ContainerFile {
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
}

/** What the engine says of a path in the container (`X-Docker-Container-Path-Stat`). */
export interface PathStat {
  size: number;
  mode: number;
  /** Modification time in ms since the epoch (whole seconds, as tar keeps it); NaN when not given. */
  mtimeMs: number;
}

/** Copies `files` into the container, one archive per directory they share. */
export async function putFiles(
  engine: EngineClient,
  container: string,
  files: readonly ContainerFile[],
): Promise<void> {
  const byDir = new Map<string, ContainerFile[]>();
  for (const file of files) {
    const dir = path.posix.dirname(file.path);
    byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
  }
  const options = { mtime: Math.floor(Date.now() / 1000), uid: 0, gid: 0 };
  for (const [dir, group] of byDir) {
    // Unpacked into the files' own directory, so no existing directory's owner or mode is touched.
    const names = group.map((f) => ({
      path: path.posix.basename(f.path),
      type: "file" as const,
      mode: f.mode,
      data: f.data,
    }));
    const res = await putArchive(engine, container, dir, writeTar(names, options));
    if (res.status === 404) {
      // The directory does not exist yet: unpack at the root, which creates it (and its parents).
      const full = group.map((f) => ({
        path: f.path.slice(1),
        type: "file" as const,
        mode: f.mode,
        data: f.data,
      }));
      const again = await putArchive(engine, container, "/", writeTar(full, options));
      if (again.status !== 200) throw engineError(archiveRequest(container, "/"), again);
    } else if (res.status !== 200) throw engineError(archiveRequest(container, dir), res);
  }
}

function archiveRequest(container: string, dir: string) {
  return {
    method: "PUT" as const,
    path: `/containers/${container}/archive`,
    query: { path: dir, noOverwriteDirNonDir: true },
  };
}

function putArchive(engine: EngineClient, container: string, dir: string, archive: Buffer) {
  return engine.raw({ ...archiveRequest(container, dir), body: archive });
}

/** The size and mode of a path in the container, or undefined when it does not exist. */
export async function statPath(
  engine: EngineClient,
  container: string,
  file: string,
): Promise<PathStat | undefined> {
  const res = await engine.raw({
    method: "HEAD",
    path: `/containers/${container}/archive`,
    query: { path: file },
  });
  if (res.status !== 200) return undefined;
  const header = res.headers?.["x-docker-container-path-stat"];
  if (typeof header !== "string") return undefined;
  const stat = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as {
    size: number;
    mode: number;
    mtime?: string;
  };
  return { size: stat.size, mode: stat.mode, mtimeMs: Date.parse(stat.mtime ?? "") };
}

/** Runs `argv` in the container (the program must be in the image); returns its exit code and output lines. */
export async function execInContainer(
  engine: EngineClient,
  container: string,
  argv: readonly string[],
): Promise<{ exitCode: number; output: Buffer }> {
  const created = await engine.json<{ Id: string }>({
    method: "POST",
    path: `/containers/${container}/exec`,
    body: { Cmd: argv, AttachStdout: true, AttachStderr: true },
  });
  const started = await engine.raw({
    method: "POST",
    path: `/exec/${created.Id}/start`,
    body: { Detach: false, Tty: false },
  });
  const info = await engine.json<{ ExitCode: number | null }>({
    method: "GET",
    path: `/exec/${created.Id}/json`,
  });
  return { exitCode: info.ExitCode ?? -1, output: started.body };
}
