/**
 * The docker target: each service is one container on the project's network, labelled with its
 * identity. A replacement runs beside the old container when no host port is in the way; when a
 * published port is, the old one is stopped (not removed) first and started again if the new one
 * does not become healthy. Either way a service is never left without a running version.
 */
import pLimit from "p-limit";
import type { DockerTargetConfig } from "../../config/index.js";
import {
  buildForEngine,
  createEngineClient,
  type EngineClient,
  engineAddress,
  engineError,
  lastLogLines,
  putFiles,
  readEngineInfo,
} from "../../engine/index.js";
import { createDefaultCredentialSource } from "../../registry/index.js";
import { isStart } from "../deploy-plan.js";
import { DeployFailure } from "../failure.js";
import { waitUntilHealthy } from "../health.js";
import {
  type ApplyContext,
  type BuiltImages,
  type CommandWrapper,
  type DeployTarget,
  LABELS,
  type StartAction,
} from "../types.js";
import { previousFor } from "../versions.js";
import { containerName, containerSpec, nextContainerName, wrappedCommand } from "./container-spec.js";
import {
  containerProbe,
  createContainer,
  inspectContainer,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from "./containers.js";
import { serviceHealth } from "./health-probe.js";
import { ensureImage, type ImageSource } from "./images.js";
import { readDockerLive } from "./live.js";
import { containerLock } from "./lock.js";

export interface DockerTargetOptions {
  project: string;
  env: NodeJS.ProcessEnv;
  /** Where the target's settings are written, for messages ("dray.yaml:12:5"). */
  where: string;
  /** Locate a service's `deploy` settings in dray.yaml, for messages. */
  locateService: (service: string) => string;
  /** True when images come from the registry (pulled by digest) instead of the build's layout. */
  fromRegistry: boolean;
  /** An engine client to use instead of one for the target's address (dev mode shares one). */
  engine?: EngineClient;
  /** Dev mode: run each service behind this program (see CommandWrapper). */
  wrapper?: CommandWrapper;
}

export async function openDockerTarget(
  config: DockerTargetConfig,
  options: DockerTargetOptions,
): Promise<DeployTarget> {
  const engine = options.engine ?? createEngineClient(engineAddress(config.host, options.env, options.where));
  const info = await readEngineInfo(engine);
  const credentials = createDefaultCredentialSource({ env: options.env });
  const { project } = options;

  const source = (action: StartAction, images: BuiltImages | undefined): ImageSource => {
    if (options.fromRegistry) return { kind: "registry", credentials };
    // A rollback brings no build: its image must still be in the engine.
    const entry = images?.entries.get(action.desired.name);
    if (!images || !entry) return { kind: "engine" };
    const image = buildForEngine(info.platform, entry.platforms, (p) => p.platform)!;
    return {
      kind: "layout",
      layout: images.layout,
      manifest: image.manifest,
      tag: `${project}/${action.desired.name}:${action.desired.imageId.slice(7, 19)}`,
    };
  };

  // The project's network, made when the engine first reports it missing (once per run).
  let networkMade: Promise<void> | undefined;
  const makeNetwork = (): Promise<void> => {
    networkMade ??= (async () => {
      const request = {
        method: "POST" as const,
        path: "/networks/create",
        body: {
          Name: config.network,
          Driver: "bridge",
          CheckDuplicate: true,
          Labels: { [LABELS.project]: project },
        },
      };
      const created = await engine.raw(request);
      // 409: another run created it a moment ago.
      if (created.status !== 201 && created.status !== 409) throw engineError(request, created);
    })().catch((error: unknown) => {
      networkMade = undefined;
      throw error;
    });
    return networkMade;
  };

  /** Starts `id` and waits until it is healthy; on failure returns why, with its last log lines. */
  const startAndWait = async (action: StartAction, id: string, context: ApplyContext) => {
    const name = action.desired.name;
    await context.step(name, "start", () =>
      startContainer(engine, id, name, options.locateService(name), makeNetwork),
    );
    const health = action.desired.spec.deploy.health;
    const result = await context.step(name, "health", () =>
      waitUntilHealthy(containerProbe(engine, id, serviceHealth(action.desired.spec.deploy, config)), {
        intervalMs: health?.intervalMs ?? 1000,
        timeoutMs: health?.timeoutMs ?? 60_000,
      }),
    );
    if (result.ok) return undefined;
    return { reason: result.reason, logs: await lastLogLines(engine, id, 20) };
  };

  return {
    config,
    platform: info.platform,

    readLive: (projectName, services) => readDockerLive(engine, projectName, services),

    lock: (projectName) => containerLock(engine, projectName, info.platform, info.clockOffsetMs),

    async prepare(actions, context, images) {
      const limit = pLimit(2);
      await Promise.all(
        actions.filter(isStart).map((action) =>
          limit(async () => {
            if (context.signal.aborted) return;
            await context.step(action.desired.name, "image", async () => {
              const how = await ensureImage(engine, action.desired, source(action, images));
              if (how !== "present") context.log(action.desired.name, `image ${how}`);
            });
          }),
        ),
      );
    },

    async apply(action, context) {
      const name = action.desired.name;
      const old = action.kind === "replace" ? [...action.live.ids] : [];
      const spec = containerSpec(action.desired, config, options.wrapper, previousFor(action));
      const portsInTheWay = old.length > 0 && action.desired.spec.deploy.publish.length > 0;
      if (portsInTheWay)
        await context.step(name, "stop old", () => Promise.all(old.map((id) => stopContainer(engine, id))));
      const id = await context.step(name, "create", () =>
        createContainer(engine, nextContainerName(project, name), spec, name, makeNetwork),
      );
      let failure: { reason: string; logs: string[] } | undefined;
      try {
        if (options.wrapper && wrappedCommand(action.desired, options.wrapper)) {
          const { path: file, binary } = options.wrapper;
          await context.step(name, "wrap", () =>
            putFiles(engine, id, [{ path: file, data: binary, mode: 0o755 }]),
          );
        }
        failure = await startAndWait(action, id, context);
      } catch (error) {
        await removeContainer(engine, id);
        if (portsInTheWay) await restore(engine, old);
        throw error;
      }
      if (failure) {
        await context.step(name, "roll back", async () => {
          await removeContainer(engine, id);
          if (portsInTheWay) await restore(engine, old);
        });
        throw new DeployFailure(`${name}: the new version did not become healthy: ${failure.reason}`, {
          service: name,
          logs: failure.logs,
          rolledBack: old.length > 0,
        });
      }
      await context.step(name, old.length > 0 ? "remove old" : "rename", async () => {
        for (const oldId of old) {
          if (!portsInTheWay) await stopContainer(engine, oldId);
          await removeContainer(engine, oldId);
        }
        await renameContainer(engine, id, containerName(project, name));
      });
    },

    async remove(live, context) {
      await context.step(live.name, "remove", async () => {
        for (const id of live.ids) {
          await stopContainer(engine, id);
          await removeContainer(engine, id);
        }
      });
    },

    close() {
      if (!options.engine) engine.close();
    },
  };
}

/** Starts the old containers again after a failed replacement. */
async function restore(engine: EngineClient, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const state = await inspectContainer(engine, id);
    if (state && !state.running) await engine.raw({ method: "POST", path: `/containers/${id}/start` });
  }
}
