/**
 * The dev loop: deploy the project to the local engine, then for every batch of file changes find
 * the services whose inputs really changed (content, not timestamps) and update each in place —
 * compile on the host, copy into the running container, restart — or, where no rule covers a
 * change, rebuild and redeploy that one service and say why. One update per service at a time;
 * edits that arrive meanwhile are merged into the next one, so the last edit always wins.
 */
import { randomBytes } from "node:crypto";
import type { DockerTargetConfig, ResolvedConfig, ResolvedService } from "../config/index.js";
import { loadConfig, onTarget, selectServices } from "../config/index.js";
import type { CommandWrapper } from "../deploy/index.js";
import { deployProject, runnable } from "../deploy/index.js";
import { createEngineClient, engineAddress, readEngineInfo } from "../engine/index.js";
import { errorText } from "../errors/index.js";
import { findGoToolchain } from "../go/index.js";
import { createTracer, type Tracer } from "../report/index.js";
import { servicesReached } from "./batch.js";
import {
  attachLiveFile,
  chooseDelivery,
  cleanLiveDirs,
  describeDelivery,
  mountingWrapper,
  prepareLiveDirs,
} from "./binary-delivery.js";
import type { DevHub } from "./hub.js";
import { loadProjectInputs } from "./inputs.js";
import { trackServices } from "./running.js";
import { buildSupervisor } from "./supervisor/build.js";
import { SUPERVISOR_PATH, SUPERVISOR_PORT } from "./supervisor/protocol.js";
import { REBUILD_REQUESTED, runUpdate, type UpdateContext } from "./update.js";
import { watchProject } from "./watcher.js";
import { createWorkQueue } from "./work-queue.js";

export interface DevLoopOptions {
  config: ResolvedConfig;
  target: DockerTargetConfig;
  only: readonly string[];
  env: NodeJS.ProcessEnv;
  hub: DevHub;
  /** Deploy progress and notices for the terminal. */
  notice: (line: string) => void;
  /** Records every deploy's steps (for `--trace`); default: a tracer of each deploy's own, dropped after it. */
  tracer?: Tracer;
}

export interface DevLoop {
  /** Stops watching and following logs; the services keep running unless `down`. */
  stop(options: { down: boolean }): Promise<void>;
}

export async function startDevLoop(options: DevLoopOptions): Promise<DevLoop> {
  const { target, hub, env, notice } = options;
  // Both change when dray.yaml does (see reloadConfig).
  let config = options.config;
  let services = selectServices(config, options.only).filter(runnable);
  const root = config.root;
  const engine = createEngineClient(engineAddress(target.host, env, config.locate(["targets", target.name])));
  const { platform } = await readEngineInfo(engine);
  const running = trackServices(services, engine, hub);
  const delivery = chooseDelivery(engine.address, env, config.state.dev);
  const goNames = services.filter((s) => s.kind === "go").map((s) => s.name);
  let wrapper = await supervisorFor(services, config.state.dev, platform, env);
  if (wrapper && delivery.kind === "mount") {
    await prepareLiveDirs(delivery.root, goNames);
    wrapper = mountingWrapper(wrapper, delivery.root, (name) => running.get(name)?.service);
  }
  if (wrapper) notice(describeDelivery(delivery));

  /** Deploys `names` with the deploy pipeline; returns the failures by service. */
  const deploy = async (names: readonly string[], force: boolean) => {
    for (const name of names) running.setState(name, "building");
    const outcome = await deployProject({
      config,
      target: target.name,
      only: names,
      dryRun: false,
      prune: false,
      ...(force ? { force: names } : {}),
      lockWaitMs: 60_000,
      ...(wrapper ? { wrapper } : {}),
      env,
      tracer: options.tracer ?? createTracer(),
      signal: new AbortController().signal,
      log: (service, line) => notice(`${service}: ${line}`),
      notice,
    });
    const failures = new Map<string, string>();
    for (const f of outcome.build.services)
      if (f.status === "failed") failures.set(f.name, errorText(f.error));
    for (const s of outcome.services) if (s.status === "failed") failures.set(s.service, errorText(s.error));
    // A target may run the project under a name of its own (`project:` on the target).
    await running.refresh(names, onTarget(config, target).project, target.network);
    for (const name of names) {
      const problem = await attachLiveFile(delivery, engine, running.get(name)!);
      if (problem) notice(problem);
    }
    for (const name of names)
      running.setState(name, failures.has(name) ? "failed" : "ready", failures.get(name));
    return failures;
  };

  const initialFailures = await deploy(
    services.map((s) => s.name),
    false,
  );
  for (const [name, error] of initialFailures) notice(`${name}: ${error}`);
  const inputs = await loadProjectInputs(config, services, env, platform);

  let ids = 0;
  const context: UpdateContext = {
    root,
    devDir: config.state.dev,
    platform,
    target,
    engine,
    env,
    hub,
    inputs,
    services: running,
    notice,
    deploy,
    nextId: () => ++ids,
  };
  const queue = createWorkQueue(
    (name, work) => runUpdate(context, running.get(name)!, work),
    (name, error) => {
      running.setState(name, "failed", errorText(error));
      notice(`${name}: ${errorText(error)}`);
    },
  );
  hub.onRebuild((name) =>
    queue.enqueue(name, { files: new Set(), firstAt: performance.now(), rebuild: REBUILD_REQUESTED }),
  );

  /**
   * dray.yaml changed: read it again (a broken file keeps the previous settings and says why),
   * take the new settings of every running service — live rules apply from the next edit — and
   * deploy, which changes only the services whose image or deploy settings now differ.
   */
  const reloadConfig = async () => {
    let next: ResolvedConfig;
    try {
      next = await loadConfig({ cwd: root, file: config.file, env });
    } catch (error) {
      notice(`dray.yaml: ${errorText(error)}\nkeeping the previous settings until it is fixed`);
      return;
    }
    config = next;
    const known = new Map(next.services.map((s) => [s.name, s]));
    for (const r of running.all()) {
      const updated = known.get(r.service.name);
      if (updated) r.service = updated;
      else notice(`${r.service.name} left dray.yaml; it keeps running (dray deploy --prune removes it)`);
    }
    const added = next.services.filter((s) => !running.get(s.name)).map((s) => s.name);
    if (added.length > 0) notice(`new in dray.yaml: ${added.join(", ")} — restart dray dev to run them`);
    services = running
      .all()
      .map((r) => r.service)
      .filter((s) => known.has(s.name));
    await inputs.refresh(config, services);
    notice("dray.yaml changed: deploying what it changed");
    await deploy(
      services.map((s) => s.name),
      false,
    );
  };

  const onBatch = async (files: readonly string[], firstAt: number) => {
    if (files.includes(config.file)) return reloadConfig();
    const reached = await servicesReached(
      files,
      root,
      () => inputs.index,
      () => inputs.refresh(config, services),
    );
    for (const [name, changed] of reached) queue.enqueue(name, { files: changed, firstAt });
  };

  const outputs = services.flatMap((s) => (s.kind === "command" ? [s.output] : []));
  let batches = Promise.resolve();
  const watcher = await watchProject(root, { ignoreDirs: outputs }, (batch) => {
    // Batches are handled in order, so a quick second edit is never classified before the first.
    batches = batches
      .then(() => onBatch(batch.files, batch.firstAt))
      .catch((error: unknown) => notice(errorText(error)));
  });

  return {
    async stop({ down }) {
      await watcher.close();
      running.stopLogs();
      if (down) {
        for (const r of running.all()) {
          if (r.container)
            await engine.raw({
              method: "DELETE",
              path: `/containers/${r.container}`,
              query: { force: true },
            });
        }
      }
      if (delivery.kind === "mount") await cleanLiveDirs(delivery.root, goNames, down);
      engine.close();
    },
  };
}

/**
 * Every Go service runs behind dray's supervisor, so a new binary starts without restarting its
 * container; it is compiled for the engine's platform by the services' own toolchain.
 */
async function supervisorFor(
  services: readonly ResolvedService[],
  devDir: string,
  platform: string,
  env: NodeJS.ProcessEnv,
): Promise<CommandWrapper | undefined> {
  if (!services.some((s) => s.kind === "go")) return undefined;
  const built = await buildSupervisor(devDir, platform, await findGoToolchain(env), env);
  return {
    path: SUPERVISOR_PATH,
    binary: built.binary,
    digest: built.digest,
    env: {
      DRAY_SUPERVISE_ADDR: `:${SUPERVISOR_PORT}`,
      DRAY_SUPERVISE_TOKEN: randomBytes(16).toString("hex"),
    },
  };
}
