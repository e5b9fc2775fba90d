/**
 * The swarm target: each service is a swarm service `<project>_<service>` run by image digest from
 * the registry, labelled with its identity. Swarm does the rolling update and, when a new version
 * fails, the rollback; dray posts the spec, watches the update status and the tasks, and reports.
 *
 * Images are built for one platform, the manager's: a swarm whose nodes run other platforms is not
 * supported (the spec's placement keeps tasks off such nodes rather than letting them fail).
 */
import type { SwarmTargetConfig } from "../../config/index.js";
import {
  createEngineClient,
  type EngineClient,
  engineAddress,
  pullHeaders,
  readEngineInfo,
} from "../../engine/index.js";
import { ExitCode, UserError } from "../../errors/index.js";
import { createDefaultCredentialSource } from "../../registry/index.js";
import type { DeployTarget, LiveService, StartAction } from "../types.js";
import { previousFor, type VersionRecord } from "../versions.js";
import { liveService } from "./convergence.js";
import { configLock } from "./lock.js";
import { checkHttp, failCreate, failUpdate, type Rollout, waitForConvergence } from "./rollout.js";
import { type PublishMode, serviceSpec } from "./service-spec.js";
import {
  createService,
  ensureOverlayNetwork,
  inspectService,
  listServices,
  listTasks,
  removeService,
  updateService,
} from "./swarm-api.js";

export interface SwarmTargetOptions {
  project: string;
  env: NodeJS.ProcessEnv;
  /** Where the target's settings are written, for messages ("dray.yaml:12:5"). */
  where: string;
  /** Locate a service's `deploy` settings in dray.yaml, for messages. */
  locateService(service: string): string;
  /** True when dray.yaml names a registry: swarm nodes pull every image from there. */
  registry: boolean;
  /** An engine client to use instead of one for the target's address. */
  engine?: EngineClient;
  /** How ports are published; default "ingress" (the routing mesh, which needs IPVS in the kernel). */
  publishMode?: PublishMode;
}

export async function openSwarmTarget(
  config: SwarmTargetConfig,
  options: SwarmTargetOptions,
): Promise<DeployTarget> {
  if (!options.registry)
    throw new UserError(
      `swarm target ${config.name} needs a registry: swarm runs images by digest from one`,
      {
        exitCode: ExitCode.usage,
        hint: "Add `registry:` to dray.yaml (e.g. `registry: registry.example.com/team`); every swarm node must be able to pull from it.",
      },
    );
  const engine = options.engine ?? createEngineClient(engineAddress(config.host, options.env, options.where));
  const closeEngine = () => {
    if (!options.engine) engine.close();
  };
  const info = await readEngineInfo(engine).catch((error: unknown) => {
    closeEngine();
    throw error;
  });
  if (!info.manager) {
    closeEngine();
    throw new UserError(`${engine.address.text} is not a swarm manager`, {
      exitCode: ExitCode.environment,
      details: `its swarm state is "${info.swarm}"`,
      hint: `Run \`docker swarm init\` there, or point \`host\` of the target (${options.where}) at a manager.`,
    });
  }
  const { project } = options;
  const publishMode = options.publishMode ?? "ingress";
  let networkReady: Promise<void> | undefined;

  const rollout = (context: Rollout["context"]): Rollout => ({
    engine,
    config,
    where: options.where,
    publishedHost: engine.address.kind === "tcp" ? engine.address.host : "127.0.0.1",
    context,
  });

  // The nodes pull with the login the user's Docker/Podman files hold for the registry, if any.
  const credentials = createDefaultCredentialSource({ env: options.env });
  const spec = (action: StartAction, forceUpdate: number) =>
    serviceSpec(action.desired, config, {
      platform: info.platform,
      publishMode,
      forceUpdate,
      ...withPrevious(previousFor(action)),
    });

  const create = async (action: StartAction, r: Rollout) => {
    const name = action.desired.name;
    const id = await r.context.step(name, "create", async () =>
      createService(
        engine,
        spec(action, 0),
        name,
        options.locateService(name),
        await pullHeaders(action.desired.image, credentials),
      ),
    );
    const converged = await r.context.step(name, "converge", () =>
      waitForConvergence(r, id, action.desired, "create"),
    );
    if (!converged.ok) return failCreate(r, id, action.desired, converged.reason);
    const http = await r.context.step(name, "health", () => checkHttp(r, action.desired));
    if (!http.ok) return failCreate(r, id, action.desired, http.reason);
  };

  const update = async (action: Extract<StartAction, { kind: "replace" }>, r: Rollout) => {
    const name = action.desired.name;
    const id = action.live.ids[0]!;
    const current = await inspectService(engine, id);
    // Removed behind dray's back since the plan was made: deploy it as new.
    if (!current) return create(action, r);
    // Swarm rolls tasks only when their spec changed; a service that stopped running needs a push.
    const force =
      (current.Spec.TaskTemplate?.ForceUpdate ?? 0) + (action.reasons.includes("not running") ? 1 : 0);
    await r.context.step(name, "update", async () =>
      updateService(engine, id, current.Version.Index, spec(action, force), {
        service: name,
        where: options.locateService(name),
        headers: await pullHeaders(action.desired.image, credentials),
      }),
    );
    const converged = await r.context.step(name, "converge", () =>
      waitForConvergence(r, id, action.desired, "update"),
    );
    if (!converged.ok) return failUpdate(r, id, action.desired, converged.reason);
    const http = await r.context.step(name, "health", () => checkHttp(r, action.desired));
    if (!http.ok) return failUpdate(r, id, action.desired, http.reason);
  };

  return {
    config,
    platform: info.platform,

    async readLive(projectName) {
      const services = await listServices(engine, projectName);
      const tasks = await listTasks(
        engine,
        services.map((s) => s.ID),
      );
      const live = new Map<string, LiveService>();
      for (const service of services) {
        const found = liveService(service, tasks);
        if (found) live.set(found.name, found);
      }
      return live;
    },

    lock: (projectName) => configLock(engine, projectName, info.clockOffsetMs),

    async prepare() {
      // Nothing to load: every node pulls the image by digest when it starts a task, from the
      // registry the deploy pushed to.
    },

    async apply(action, context) {
      const name = action.desired.name;
      if (context.signal.aborted) throw new UserError(`deploy of ${name} not started: interrupted`);
      networkReady ??= ensureOverlayNetwork(engine, config.network, project, options.where);
      await networkReady.catch((error: unknown) => {
        networkReady = undefined;
        throw error;
      });
      const r = rollout(context);
      if (action.kind === "create") await create(action, r);
      else await update(action, r);
    },

    async remove(live, context) {
      await context.step(live.name, "remove", async () => {
        for (const id of live.ids) await removeService(engine, id);
      });
    },

    close: closeEngine,
  };
}

function withPrevious(previous: VersionRecord | undefined): { previous?: VersionRecord } {
  return previous ? { previous } : {};
}
