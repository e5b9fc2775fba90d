/**
 * `dray deploy`: build (from cache where possible) while taking the local deploy lock and reading
 * the live state from the target → plan by identity → if anything changes, take the target's own lock and
 * read and plan again → publish what will change → change only the differences, a few at a time,
 * in `dependsOn` order → wait for health. Per-service failures are reported, not thrown; a failed
 * service is on its old version.
 */
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import { onTarget, selectServices } from "../config/index.js";
import { type BlobSource, type Digest, openLayout, withDocuments } from "../oci/index.js";
import { type BuildOutcome, buildProject } from "../pipeline/index.js";
import type { RegistryCache } from "../publish/index.js";
import type { Tracer } from "../report/index.js";
import { applyInOrder } from "./apply-ordered.js";
import { type GivenImages, givenBuild, imageUsers, publishStarting, requirePolicy } from "./before-start.js";
import { chooseTarget } from "./choose-target.js";
import { type LocalDeployLock, lockDeploy } from "./deploy-lock.js";
import { isStart, planDeploy, serviceOf } from "./deploy-plan.js";
import { desiredService, runnable } from "./desired.js";
import { manifestsDigest } from "./manifests-digest.js";
import { openTarget } from "./open-target.js";
import { reportingContext, type ServiceOutcome } from "./outcome.js";
import { withProvenance } from "./source-stamp.js";
import type { CommandWrapper, DeployAction, DeployTarget, LiveService } from "./types.js";

export type { ServiceOutcome } from "./outcome.js";

export interface DeployOptions {
  config: ResolvedConfig;
  target?: string;
  only: readonly string[];
  dryRun: boolean;
  prune: boolean;
  /** Dev mode: run each service behind this program (docker targets only). */
  wrapper?: CommandWrapper;
  /** Build without the cache and replace these services even when nothing changed. */
  force?: readonly string[];
  /** Leave a failed first version of a service in place for inspection (kubernetes). */
  keepFailed?: boolean;
  lockWaitMs: number;
  env: NodeJS.ProcessEnv;
  tracer: Tracer;
  signal: AbortSignal;
  /** Progress: one line per event of a service. */
  log: (service: string, line: string) => void;
  /** Lines about the run as a whole: waiting for the deploy lock, taking it over (default: none). */
  notice?: (line: string) => void;
  /** With `cache: registry`: asked before building, so images another runner pushed are pulled, not rebuilt. */
  registryCache?: RegistryCache;
  /** Called with the build's progress, so a terminal can show it. */
  onBuildStep?: (service: string, platform: string, step: string) => void;
  /** Deploy these images, already in the target's registry, instead of building (`dray promote`). */
  images?: GivenImages;
}

export interface DeployOutcome {
  target: TargetConfig;
  build: BuildOutcome;
  services: ServiceOutcome[];
  /** Services with nothing to run (no entrypoint): built, never deployed. */
  skipped: string[];
  interrupted: boolean;
  totalMs: number;
}

/** Builds and deploys; throws only for problems that stop the whole run (config, target, lock). */
export async function deployProject(options: DeployOptions): Promise<DeployOutcome> {
  const { config, tracer, signal } = options;
  const started = tracer.now();
  const target = chooseTarget(config, options.target);
  // The project as the target sees it: the target's own registry and project name, when it sets them.
  const placed = onTarget(config, target);
  const selected = selectServices(config, options.only);
  const skipped = selected.filter((s) => !runnable(s)).map((s) => s.name);
  const services = selected.filter(runnable);
  const names = config.services.filter(runnable).map((s) => s.name);

  // A lock lost while held (taken over after this process stalled past its expiry) stops new work
  // the way Ctrl-C does: the services in hand finish, nothing else starts.
  const lost = new AbortController();
  const building = options.images
    ? Promise.resolve(givenBuild(config, options.images, tracer))
    : tracer.span("build", () =>
        buildProject({
          config,
          only: services.map((s) => s.name),
          env: options.env,
          tracer,
          signal,
          ...(options.force && options.force.length > 0 ? { noCache: true } : {}),
          ...(options.onBuildStep ? { onStep: options.onBuildStep } : {}),
          ...(options.registryCache ? { registryCache: options.registryCache } : {}),
        }),
      );
  // The target is reached, locked and read while the build runs: neither needs the other, and the
  // build spends its time waiting for the compiler. A build that fails stops that at once, rather
  // than wait for another deployer's lock.
  const buildFailed = new AbortController();
  const reaching = Promise.allSettled([
    reachTarget(options, target, placed, names, AbortSignal.any([signal, buildFailed.signal]), () =>
      lost.abort(),
    ),
  ]).then(([settled]) => settled);
  const [built] = await Promise.allSettled([building]);
  const failed = built.status === "rejected" || built.value.services.some((s) => s.status === "failed");
  if (failed) buildFailed.abort();
  const reached = await reaching;
  // A build that failed is the story, whatever the target said: the target is let go unused.
  if (failed && reached.status === "fulfilled") await reached.value.release();
  if (built.status === "rejected") throw built.reason;
  const build = built.value;
  const outcome = (list: ServiceOutcome[], interrupted = false): DeployOutcome => ({
    target,
    build,
    services: list,
    skipped,
    interrupted,
    totalMs: tracer.now() - started,
  });
  if (failed) return outcome([]);
  if (reached.status === "rejected") throw reached.reason;
  const { opened, lock } = reached.value;

  const working = AbortSignal.any([signal, lost.signal]);
  try {
    // Given images are in the registry: nothing is read from the layout, which may not even exist.
    const layout = options.images ? undefined : await openLayout(build.layout);
    const source: BlobSource = withDocuments(
      layout ?? { root: "", readBlob: (d) => Promise.reject(new Error(`internal: ${d} not held`)) },
      build.documents,
    );
    let live = reached.value.live;
    // What else the services run from: the user's own manifests, dev mode's wrapper.
    const extras = [
      target.kind === "kubernetes" && target.manifests ? await manifestsDigest(target.manifests) : undefined,
      options.wrapper && target.kind === "docker" ? `wrapper:${options.wrapper.digest}` : undefined,
    ].filter((e): e is string => e !== undefined);
    const extra = extras.length > 0 ? extras.join("\n") : undefined;
    const users = target.kind === "kubernetes" ? await imageUsers(services, build, source) : new Map();
    const desired = services.map((s) =>
      desiredService(
        placed,
        s,
        build.entries.get(s.name)!,
        target,
        opened.platform,
        extra,
        users.get(s.name),
      ),
    );
    const plan = () =>
      planDeploy(desired, live, {
        prune: options.prune,
        known: new Set(config.services.map((s) => s.name)),
        force: new Set(options.force ?? []),
      });
    let actions = plan();
    if (lock && actions.some((a) => a.kind !== "keep")) {
      // A deploy that changes nothing writes nothing to the target, not even its lock. One that
      // does takes the target's lock, then reads the live state again and plans again: another
      // deployer may have just finished, and what it left is what this deploy changes.
      await tracer.span("target lock", () => lock.lockTarget());
      live = await reached.value.readLive();
      actions = plan();
    }
    const reports = new Map(actions.map((a) => [serviceOf(a), initialReport(a, options.dryRun)]));
    if (options.dryRun) return outcome([...reports.values()]);
    actions = await withProvenance(actions, config.root, options.env);

    const context = reportingContext(working, options.log, tracer, reports);
    let pushed = new Map<string, Digest>();
    // Given images are in the target's registry already (promote copied them there).
    if (placed.registry && actions.some(isStart) && !options.images)
      ({ actions, pushed } = await publishStarting(placed, actions, build, source, tracer, layout));
    const starts = actions.filter(isStart);
    await tracer.span("policy", () => requirePolicy(placed, target.name, starts, build, pushed));
    const images = layout ? { layout, entries: build.entries } : undefined;
    await tracer.span("prepare images", () => opened.prepare(starts, context, images));
    await applyInOrder(actions, opened, context, reports, {
      dependsOn: new Map(config.services.map((s) => [s.name, s.dependsOn])),
      live,
      target: target.name,
    });
    return outcome([...reports.values()], working.aborted);
  } finally {
    await reached.value.release();
  }
}

/** The target opened, the local deploy lock held (not in a dry run), and what runs there now. */
interface ReachedTarget {
  opened: DeployTarget;
  lock: LocalDeployLock | undefined;
  live: Map<string, LiveService>;
  /** Reads what runs there again (under the target's lock). */
  readLive(): Promise<Map<string, LiveService>>;
  /** Lets go of the lock and the connection. */
  release(): Promise<void>;
}

async function reachTarget(
  options: DeployOptions,
  target: TargetConfig,
  placed: ResolvedConfig,
  names: readonly string[],
  signal: AbortSignal,
  onLost: () => void,
): Promise<ReachedTarget> {
  const { config, tracer } = options;
  const opened = await tracer.span("connect", () =>
    openTarget(target, {
      config: placed,
      env: options.env,
      log: options.log,
      ...(options.keepFailed ? { keepFailed: true } : {}),
      ...(options.wrapper ? { wrapper: options.wrapper } : {}),
    }),
  );
  const readLive = () => tracer.span("read live state", () => opened.readLive(placed.project, names));
  let lock: LocalDeployLock | undefined;
  const release = async () => {
    try {
      await lock?.release();
    } finally {
      opened.close();
    }
  };
  try {
    lock = options.dryRun
      ? undefined
      : await tracer.span("lock", () =>
          lockDeploy(config.state.locks, target.name, {
            waitMs: options.lockWaitMs,
            signal,
            project: placed.project,
            lock: opened.lock?.(placed.project),
            notice: options.notice ?? (() => {}),
            onLost,
          }),
        );
    const live = await readLive();
    return { opened, lock, live, readLive, release };
  } catch (error) {
    await release();
    throw error;
  }
}

function initialReport(action: DeployAction, dryRun: boolean): ServiceOutcome {
  const from = action.kind === "create" ? undefined : action.live.imageId;
  const to = action.kind === "remove" ? undefined : action.desired.imageId;
  return {
    service: serviceOf(action),
    action: action.kind,
    reasons: action.kind === "keep" ? [] : action.reasons,
    from,
    to,
    status: action.kind === "keep" ? "unchanged" : dryRun ? "planned" : "not started",
    steps: {},
    ms: 0,
  };
}
