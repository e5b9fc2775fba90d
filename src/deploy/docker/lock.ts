/**
 * The docker target's deploy lock: a container named `dray-lock-<project>` that is created but
 * never started. The engine reserves a container name atomically, so of two deployers creating it
 * one gets 409 Conflict (Podman: 500, "already in use"); its labels name the holder. Container
 * labels cannot change, so the heartbeat is a file in it, `/dray-lock/renewed`, written through
 * the archive API with its modification time set to the renewal's time on the engine's clock.
 */
import type { EngineClient } from "../../engine/index.js";
import { engineError, engineMessage, statPath } from "../../engine/index.js";
import { ExitCode, UserError } from "../../errors/index.js";
import { writeTar } from "../../oci/index.js";
import { type LockHolder, parseHolder } from "../lock-holder.js";
import type { LockState, TargetLock } from "../target-lock.js";
import { loadLockImage, lockImageArchive } from "./lock-image.js";

/** Labels of the lock container: which project's lock it is, and its holder as JSON. */
export const LOCK_LABELS = { lock: "dray.lock", holder: "dray.lock.holder" } as const;

const HEARTBEAT_DIR = "/dray-lock";
const HEARTBEAT_FILE = "renewed";

/** The name of `project`'s lock container. */
export function lockContainerName(project: string): string {
  return `dray-lock-${project}`;
}

/** `project`'s deploy lock on the engine; `clockOffsetMs` is the engine's clock minus this machine's. */
export function containerLock(
  engine: EngineClient,
  project: string,
  platform: string,
  clockOffsetMs: number,
): TargetLock {
  const name = lockContainerName(project);
  const where = `container ${name} on ${engine.address.text}`;
  // The lock image's tag, computed here; the image is loaded only when the engine lacks it.
  let image: string | undefined;
  const now = () => Date.now() + clockOffsetMs;

  const create = async (holder: LockHolder, again = true): Promise<string | undefined> => {
    image ??= lockImageArchive(platform).tag;
    const request = {
      method: "POST" as const,
      path: "/containers/create",
      query: { name },
      body: {
        Image: image,
        Labels: { [LOCK_LABELS.lock]: project, [LOCK_LABELS.holder]: JSON.stringify(holder) },
        NetworkDisabled: true,
        HostConfig: { NetworkMode: "none" },
      },
    };
    const res = await engine.raw(request);
    if (res.status === 201) return (JSON.parse(res.body.toString("utf8")) as { Id: string }).Id;
    if (res.status === 409 || /already in use/.test(engineMessage(res.body))) return undefined;
    if (res.status === 404 && again) {
      // No lock image yet (the engine's first deploy), or removed by `docker image prune`: load it, once.
      image = await loadLockImage(engine, platform);
      return create(holder, false);
    }
    throw engineError(request, res);
  };

  return {
    where,
    now,
    create: (holder) => create(holder),

    async read(): Promise<LockState | undefined> {
      const res = await engine.raw({ method: "GET", path: `/containers/${name}/json` });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw engineError({ method: "GET", path: `/containers/${name}/json` }, res);
      const body = JSON.parse(res.body.toString("utf8")) as {
        Id: string;
        Created: string;
        Config: { Labels?: Record<string, string> | null };
      };
      const labels = body.Config.Labels ?? {};
      if (labels[LOCK_LABELS.lock] !== project)
        throw new UserError(
          `a container named ${name} exists on ${engine.address.text}, but it is not dray's deploy lock`,
          {
            exitCode: ExitCode.environment,
            hint: `dray keeps the deploy lock of project ${project} under that name: rename or remove that container (docker rm ${name}).`,
          },
        );
      const heartbeat = await statPath(engine, body.Id, `${HEARTBEAT_DIR}/${HEARTBEAT_FILE}`);
      const created = Date.parse(body.Created);
      return {
        id: body.Id,
        holder: parseHolder(labels[LOCK_LABELS.holder]),
        renewedAt: Math.max(
          created,
          heartbeat && !Number.isNaN(heartbeat.mtimeMs) ? heartbeat.mtimeMs : created,
        ),
      };
    },

    async renew(id) {
      const archive = writeTar([{ path: HEARTBEAT_FILE, type: "file", data: Buffer.alloc(0) }], {
        mtime: Math.floor(now() / 1000),
        uid: 0,
        gid: 0,
      });
      const request = {
        method: "PUT" as const,
        path: `/containers/${id}/archive`,
        query: { path: HEARTBEAT_DIR },
        body: archive,
      };
      const res = await engine.raw(request);
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      throw engineError(request, res);
    },

    async remove(id) {
      const request = { method: "DELETE" as const, path: `/containers/${id}`, query: { force: true } };
      const res = await engine.raw(request);
      if (res.status !== 204 && res.status !== 404) throw engineError(request, res);
    },
  };
}
