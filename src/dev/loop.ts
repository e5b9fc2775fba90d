/**
 * The dev loop: deploy the project to the local engine, then for every batch of file changes find
 * the services whose inputs really changed (content, not timestamps) and update each in place —
 * compile on the host, copy into the running container, restart — or, where no rule covers a
 * change, rebuild and redeploy that one service and say why. One update per service at a time;
 * edits that arrive meanwhile are merged into the next one, so the last edit always wins.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { findGoToolchain, type GoToolchain } from "../build/go-toolchain.js";
import { selectServices } from "../build/select.js";
import { loadConfig } from "../config/read-config.js";
import type { DockerTargetConfig, GoService, ResolvedConfig, ResolvedService } from "../config/types.js";
import { deployProject } from "../deploy/deploy.js";
import { type CommandWrapper, LABELS } from "../deploy/types.js";
import { engineAddress } from "../engine/address.js";
import { createEngineClient } from "../engine/client.js";
import { readEngineInfo } from "../engine/platform.js";
import { createFileHasher } from "../fingerprint/file-hasher.js";
import { listingKey } from "../fingerprint/go-graph.js";
import { computeServiceKeys } from "../fingerprint/service-keys.js";
import { createTracer } from "../report/trace.js";
import { planUpdate } from "./classify.js";
import type { UpdateStep } from "./events.js";
import { followLogs, type LogFollower } from "./follow-logs.js";
import { compileGoService, type GoTargetInfo } from "./go-compile.js";
import type { DevHub } from "./hub.js";
import { buildInputIndex, contentHash, type InputIndex, relativeTo } from "./input-index.js";
import { liveUpdate } from "./live-update.js";
import { type ReloadAddress, reloadAddress, restartProcess, waitForReady } from "./ready.js";
import { buildSupervisor } from "./supervisor/build.js";
import { SUPERVISOR_PATH, SUPERVISOR_PORT } from "./supervisor/source.js";
import { type Watcher, watchProject } from "./watcher.js";

const REBUILD_REQUESTED = "rebuild requested";

export interface DevLoopOptions {
  config: ResolvedConfig;
  target: DockerTargetConfig;
  only: readonly string[];
  env: NodeJS.ProcessEnv;
  hub: DevHub;
  /** Deploy progress and notices for the terminal. */
  notice: (line: string) => void;
}

export interface DevLoop {
  /** Stops watching and following logs; the services keep running unless `down`. */
  stop(options: { down: boolean }): Promise<void>;
}

interface Pending {
  files: Set<string>;
  firstAt: number;
  /** Forced by the dashboard or by dray.yaml: rebuild and redeploy, with this reason. */
  rebuild?: string;
}

/** Per-service state the loop keeps between updates. */
interface Running {
  service: ResolvedService;
  container: string | undefined;
  imageId: string | undefined;
  logs: LogFollower | undefined;
  /** Runs behind dray's supervisor, which restarts the process without restarting the container. */
  wrapped: boolean;
  /** Where and how to ask the supervisor for a reload over TCP, when the host can reach the container. */
  reload: ReloadAddress | undefined;
  /** Container path → content hash last copied there. */
  copied: Map<string, string>;
  busy: boolean;
  next: Pending | undefined;
}

export async function startDevLoop(options: DevLoopOptions): Promise<DevLoop> {
  const { target, hub, env } = options;
  // Both change when dray.yaml does (see onBatch).
  let config = options.config;
  const root = config.root;
  let services = selectServices(config, options.only).filter(
    (s) => (s.image.entrypoint?.length ?? 0) > 0 || (s.image.args?.length ?? 0) > 0,
  );
  const engine = createEngineClient(engineAddress(target.host, env, config.locate(["targets", target.name])));
  const { platform } = await readEngineInfo(engine);
  let updateIds = 0;
  // Every Go service runs behind dray's supervisor, so a new binary starts without restarting its
  // container; it is compiled for the engine's platform by the services' own toolchain.
  const wrapper: CommandWrapper | undefined = services.some((s) => s.kind === "go")
    ? await buildSupervisor(root, platform, await findGoToolchain(env), env).then((s) => ({
        path: SUPERVISOR_PATH,
        binary: s.binary,
        digest: s.digest,
        env: {
          DRAY_SUPERVISE_ADDR: `:${SUPERVISOR_PORT}`,
          DRAY_SUPERVISE_TOKEN: randomBytes(16).toString("hex"),
        },
      }))
    : undefined;

  const running = new Map<string, Running>(
    services.map((s) => [
      s.name,
      {
        service: s,
        container: undefined,
        imageId: undefined,
        wrapped: false,
        reload: undefined,
        logs: undefined,
        copied: new Map(),
        busy: false,
        next: undefined,
      },
    ]),
  );
  const setState = (
    name: string,
    status: "building" | "deploying" | "updating" | "ready" | "failed",
    error?: string,
  ) => {
    const r = running.get(name)!;
    hub.setService({
      service: name,
      status,
      imageId: r.imageId,
      containerId: r.container,
      lastUpdateAt: status === "ready" || status === "failed" ? Date.now() : undefined,
      error,
    });
  };

  const attach = (r: Running) => {
    r.logs?.stop();
    if (!r.container) return;
    r.logs = followLogs(engine, r.container, (line, stream) =>
      hub.addLog({ service: r.service.name, stream, line, at: Date.now() }),
    );
  };

  /** Deploys `names` (all when empty) with the deploy pipeline; refreshes containers and image IDs. */
  const deploy = async (names: readonly string[], force = false) => {
    for (const name of names.length > 0 ? names : running.keys()) setState(name, "building");
    const outcome = await deployProject({
      config,
      target: target.name,
      only: names.length > 0 ? names : services.map((s) => s.name),
      dryRun: false,
      prune: false,
      ...(force ? { force: names } : {}),
      lockWaitMs: 60_000,
      ...(wrapper ? { wrapper } : {}),
      env,
      tracer: createTracer(),
      signal: new AbortController().signal,
      log: (service, line) => options.notice(`${service}: ${line}`),
    });
    const containers = await engine.json<{ Id: string; Labels: Record<string, string> }[]>({
      method: "GET",
      path: "/containers/json",
      query: { filters: JSON.stringify({ label: [`${LABELS.project}=${config.project}`] }) },
    });
    const failures = new Map<string, string>();
    for (const f of outcome.build.services)
      if (f.status === "failed") failures.set(f.name, errorText(f.error));
    for (const s of outcome.services) if (s.status === "failed") failures.set(s.service, errorText(s.error));
    for (const name of names.length > 0 ? names : running.keys()) {
      const r = running.get(name)!;
      const container = containers.find((c) => c.Labels[LABELS.service] === name);
      const changed = container?.Id !== r.container;
      r.container = container?.Id;
      r.imageId = container?.Labels[LABELS.imageId];
      r.wrapped = container?.Labels[LABELS.wrapped] !== undefined;
      r.reload =
        r.wrapped && r.container ? await reloadAddress(engine, r.container, target.network) : undefined;
      if (changed) {
        r.copied.clear();
        attach(r);
      }
      setState(name, failures.has(name) ? "failed" : "ready", failures.get(name));
    }
    return failures;
  };

  const initialFailures = await deploy([]);
  for (const [name, error] of initialFailures) options.notice(`${name}: ${error}`);

  // What each service is built from: which files to watch for it, and their content hashes.
  const hasher = await createFileHasher({ cacheFile: path.join(root, ".dray", "cache", "stat-cache.tsv") });
  let toolchain: GoToolchain | undefined;
  let goTargets = new Map<string, GoTargetInfo>();
  let index: InputIndex;
  const refreshKeys = async () => {
    const result = await computeServiceKeys(services, {
      config,
      env,
      hasher,
      cacheDir: path.join(root, ".dray", "cache"),
    });
    toolchain =
      result.toolchain ?? (services.some((s) => s.kind === "go") ? await findGoToolchain(env) : undefined);
    goTargets = new Map();
    for (const s of services) {
      const listing = result.listings.get(listingKey(s.name, s.platforms[0]!));
      if (listing) goTargets.set(s.name, { moduleRoot: listing.moduleRoot, relPackage: listing.relPackage });
    }
    index = buildInputIndex(result.keys, platform);
    await hasher.save();
  };
  await refreshKeys();

  const runUpdate = async (r: Running, work: Pending) => {
    const name = r.service.name;
    const started = performance.now();
    const steps: UpdateStep[] = [{ name: "detect", ms: started - work.firstAt }];
    const step = async <T>(stepName: string, fn: () => Promise<T>): Promise<T> => {
      const begin = performance.now();
      try {
        return await fn();
      } finally {
        steps.push({ name: stepName, ms: performance.now() - begin });
      }
    };
    const files = [...work.files];
    const plan = work.rebuild
      ? { kind: "rebuild" as const, reason: work.rebuild }
      : planUpdate(r.service, files, root);
    const record = (ok: boolean, reason: string, kind: "live" | "rebuild", error?: string) =>
      hub.addUpdate({
        id: ++updateIds,
        service: name,
        kind,
        reason,
        at: Date.now(),
        steps,
        totalMs: performance.now() - work.firstAt,
        ok,
        ...(error ? { error } : {}),
      });

    if (plan.kind === "rebuild" || !r.container) {
      const reason = plan.kind === "rebuild" ? plan.reason : "no running container to update";
      options.notice(`${name}: rebuilding and redeploying — ${reason}`);
      setState(name, "building");
      // The dashboard's button means "from scratch": no cache, and a new container even if identical.
      const forced = work.rebuild === REBUILD_REQUESTED;
      const failures = await step("build + deploy", () => deploy([name], forced));
      for (const rel of files.map((f) => relativeTo(root, f))) {
        const hash = await contentHash(path.join(root, rel));
        if (hash && !failures.has(name)) index.remember(rel, hash);
      }
      record(!failures.has(name), reason, "rebuild", failures.get(name));
      return;
    }
    setState(name, "updating");
    const target_ = goTargets.get(name);
    const result = await liveUpdate(
      {
        engine,
        container: r.container,
        service: r.service,
        ...(r.service.kind === "go" && target_ && toolchain
          ? {
              compile: () =>
                compileGoService(
                  r.service as GoService,
                  target_,
                  r.service.platforms.find((p) => `${p.os}/${p.architecture}` === platform) ??
                    r.service.platforms[0]!,
                  toolchain!,
                  path.join(root, ".dray", "dev"),
                  env,
                ),
            }
          : {}),
        restart: () => restartProcess(engine, r.container!, r.wrapped, r.reload),
        waitReady: () => waitForReady(engine, r.container!, r.service, target),
        copied: r.copied,
        step,
      },
      plan,
    );
    if (result.ok) {
      for (const file of files) {
        const hash = await contentHash(file);
        if (hash) index.remember(relativeTo(root, file), hash);
      }
      setState(name, "ready");
      record(true, plan.reason, "live");
    } else {
      const message = result.stage === "compile" ? result.message : `${result.stage}: ${result.message}`;
      setState(name, "failed", message);
      record(false, plan.reason, "live", message);
    }
  };

  /** Runs the service's pending work; work that arrives meanwhile waits and is merged. */
  const enqueue = (name: string, work: Pending) => {
    const r = running.get(name);
    if (!r) return;
    if (r.next) {
      for (const f of work.files) r.next.files.add(f);
      r.next.rebuild ??= work.rebuild;
    } else r.next = work;
    if (r.busy) return;
    r.busy = true;
    void (async () => {
      try {
        while (r.next) {
          const current = r.next;
          r.next = undefined;
          await runUpdate(r, current).catch((error: unknown) => {
            setState(name, "failed", errorText(error));
            options.notice(`${name}: ${errorText(error)}`);
          });
        }
      } finally {
        r.busy = false;
      }
    })();
  };

  hub.onRebuild((name) =>
    enqueue(name, { files: new Set(), firstAt: performance.now(), rebuild: REBUILD_REQUESTED }),
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
      options.notice(`dray.yaml: ${errorText(error)}\nkeeping the previous settings until it is fixed`);
      return;
    }
    config = next;
    const known = new Map(next.services.map((s) => [s.name, s]));
    for (const r of running.values()) {
      const updated = known.get(r.service.name);
      if (updated) r.service = updated;
      else
        options.notice(`${r.service.name} left dray.yaml; it keeps running (dray deploy --prune removes it)`);
    }
    const added = next.services.filter((s) => !running.has(s.name)).map((s) => s.name);
    if (added.length > 0)
      options.notice(`new in dray.yaml: ${added.join(", ")} — restart dray dev to run them`);
    services = [...running.values()].map((r) => r.service).filter((s) => known.has(s.name));
    await refreshKeys();
    options.notice("dray.yaml changed: deploying what it changed");
    await deploy(services.map((s) => s.name));
  };

  const onBatch = async (files: readonly string[], firstAt: number) => {
    if (files.some((f) => f === config.file)) {
      await reloadConfig();
      return;
    }
    const byService = new Map<string, Set<string>>();
    let unknownGo = false;
    for (const file of files) {
      const rel = relativeTo(root, file);
      const owners = index.servicesOf(rel);
      if (owners.length === 0) {
        if (/\.go$|(^|\/)go\.(mod|sum)$/.test(rel)) unknownGo = true;
        continue;
      }
      // Content, not timestamps: a save that changed nothing starts nothing. The hash is taken as
      // seen now, so a second event for the same content (editors write in steps) adds no update.
      const hash = await contentHash(file);
      if (hash === index.hashOf(rel)) continue;
      if (hash) index.remember(rel, hash);
      for (const owner of owners) {
        if (!byService.has(owner)) byService.set(owner, new Set());
        byService.get(owner)!.add(file);
      }
    }
    if (unknownGo) {
      // A new Go file may join a package some service links: ask go list again.
      await refreshKeys();
      for (const file of files) {
        for (const owner of index.servicesOf(relativeTo(root, file))) {
          if (!byService.has(owner)) byService.set(owner, new Set());
          byService.get(owner)!.add(file);
        }
      }
    }
    for (const [name, changed] of byService) enqueue(name, { files: changed, firstAt });
  };

  const outputs = services.flatMap((s) => (s.kind === "command" ? [s.output] : []));
  let queue = Promise.resolve();
  const watcher: Watcher = await watchProject(root, { ignoreDirs: outputs }, (batch) => {
    // Batches are handled in order, so a quick second edit is never classified before the first.
    queue = queue
      .then(() => onBatch(batch.files, batch.firstAt))
      .catch((error: unknown) => options.notice(errorText(error)));
  });

  return {
    async stop({ down }) {
      await watcher.close();
      for (const r of running.values()) r.logs?.stop();
      if (down) {
        for (const r of running.values()) {
          if (r.container)
            await engine.raw({
              method: "DELETE",
              path: `/containers/${r.container}`,
              query: { force: true },
            });
        }
      }
      engine.close();
    },
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const details = (error as { details?: string }).details;
    return details ? `${error.message}\n${details}` : error.message;
  }
  return String(error);
}
