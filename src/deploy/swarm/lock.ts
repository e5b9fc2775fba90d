/**
 * The swarm target's deploy lock: a swarm config named `dray-lock-<project>`. Configs live in the
 * managers' replicated store, so the lock is one for the whole swarm, whichever manager a deployer
 * talks to, and creating one whose name exists fails with 409 Conflict. Its data names the holder;
 * a renewal updates its labels at the version read (swarm refuses an update out of sequence), which
 * moves `UpdatedAt` on the managers' clock.
 * https://docs.docker.com/engine/api/v1.41/#tag/Config
 */
import type { EngineClient } from "../../engine/index.js";
import { engineError, engineMessage } from "../../engine/index.js";
import { ExitCode, UserError } from "../../errors/index.js";
import { parseHolder } from "../lock-holder.js";
import type { LockState, TargetLock } from "../target-lock.js";

/** Labels of the lock config: which project's lock it is, and its last renewal (for people). */
const LOCK_LABELS = { lock: "dray.lock", renewed: "dray.lock.renewed" } as const;

interface SwarmConfig {
  ID: string;
  Version: { Index: number };
  UpdatedAt: string;
  Spec: { Name: string; Labels?: Record<string, string>; Data?: string };
}

/** `project`'s deploy lock in the swarm the engine manages; `clockOffsetMs`: the engine's clock minus this machine's. */
export function configLock(engine: EngineClient, project: string, clockOffsetMs: number): TargetLock {
  const name = `dray-lock-${project}`;
  const now = () => Date.now() + clockOffsetMs;

  const inspect = async (ref: string): Promise<SwarmConfig | undefined> => {
    const request = { method: "GET" as const, path: `/configs/${encodeURIComponent(ref)}` };
    const res = await engine.raw(request);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw engineError(request, res);
    return JSON.parse(res.body.toString("utf8")) as SwarmConfig;
  };

  return {
    where: `swarm config ${name} on ${engine.address.text}`,
    now,

    async create(holder) {
      const request = {
        method: "POST" as const,
        path: "/configs/create",
        body: {
          Name: name,
          Labels: { [LOCK_LABELS.lock]: project, [LOCK_LABELS.renewed]: new Date(now()).toISOString() },
          Data: Buffer.from(JSON.stringify(holder)).toString("base64"),
        },
      };
      const res = await engine.raw(request);
      if (res.status === 201) return (JSON.parse(res.body.toString("utf8")) as { ID: string }).ID;
      if (res.status === 409) return undefined;
      throw engineError(request, res);
    },

    async read(): Promise<LockState | undefined> {
      const config = await inspect(name);
      if (!config) return undefined;
      if (config.Spec.Labels?.[LOCK_LABELS.lock] !== project)
        throw new UserError(`a swarm config named ${name} exists, but it is not dray's deploy lock`, {
          exitCode: ExitCode.environment,
          hint: `dray keeps the deploy lock of project ${project} under that name: remove that config (docker config rm ${name}).`,
        });
      const data = config.Spec.Data ? Buffer.from(config.Spec.Data, "base64").toString("utf8") : undefined;
      return { id: config.ID, holder: parseHolder(data), renewedAt: Date.parse(config.UpdatedAt) };
    },

    async renew(id) {
      // Only the holder renews, so a version conflict is a rare race with the read: try once more.
      for (let attempt = 0; attempt < 2; attempt++) {
        const config = await inspect(id);
        if (!config) return false;
        const request = {
          method: "POST" as const,
          path: `/configs/${encodeURIComponent(id)}/update`,
          query: { version: config.Version.Index },
          // Only labels may change; the data goes back as it is.
          body: {
            ...config.Spec,
            Labels: { ...config.Spec.Labels, [LOCK_LABELS.renewed]: new Date(now()).toISOString() },
          },
        };
        const res = await engine.raw(request);
        if (res.status === 200) return true;
        if (res.status === 404) return false;
        if (attempt > 0 || !/out of sequence/.test(engineMessage(res.body))) throw engineError(request, res);
      }
      return false;
    },

    async remove(id) {
      const request = { method: "DELETE" as const, path: `/configs/${encodeURIComponent(id)}` };
      const res = await engine.raw(request);
      if (res.status !== 204 && res.status !== 404) throw engineError(request, res);
    },
  };
}
