/**
 * `dray rollback [service…]`: put back the version each service's current one replaced, through
 * the deploy path — the same local and target locks, the same target `apply` with its health waits
 * and its own undo when the restored version does not become healthy. Nothing is built: the
 * previous version is what the target recorded (image by digest, the spec dray applied).
 */
import pLimit from "p-limit";
import type { ResolvedConfig, TargetConfig } from "../config/index.js";
import type { Tracer } from "../report/index.js";
import { chooseTarget } from "./choose-target.js";
import type { ServiceOutcome } from "./deploy.js";
import { lockDeploy } from "./deploy-lock.js";
import { runnable } from "./desired.js";
import { openTarget } from "./open-target.js";
import { reportingContext } from "./outcome.js";
import { planRollback, type ReplaceAction } from "./rollback-plan.js";

export interface RollbackOptions {
  config: ResolvedConfig;
  target?: string;
  /** Services to roll back; empty: every one that keeps a previous version. */
  only: readonly string[];
  lockWaitMs: number;
  env: NodeJS.ProcessEnv;
  tracer: Tracer;
  signal: AbortSignal;
  log: (service: string, line: string) => void;
  notice?: (line: string) => void;
}

export interface RollbackOutcome {
  target: TargetConfig;
  services: ServiceOutcome[];
  interrupted: boolean;
  totalMs: number;
}

/** Rolls back; throws for what stops the whole run (target, lock, a service with no previous version). */
export async function rollbackProject(options: RollbackOptions): Promise<RollbackOutcome> {
  const { config, tracer } = options;
  const started = tracer.now();
  const target = chooseTarget(config, options.target);
  const opened = await tracer.span("connect", () =>
    openTarget(target, { config, env: options.env, log: options.log }),
  );
  const lost = new AbortController();
  const names = config.services.filter(runnable).map((s) => s.name);
  const readLive = () => tracer.span("read live state", () => opened.readLive(config.project, names));
  let lock: Awaited<ReturnType<typeof lockDeploy>> | undefined;
  try {
    // What there is to go back to is checked before any lock is written to the target.
    planRollback(await readLive(), options.only, target.name);
    lock = await tracer.span("lock", () =>
      lockDeploy(config.state.locks, target.name, {
        waitMs: options.lockWaitMs,
        signal: options.signal,
        project: config.project,
        lock: opened.lock?.(config.project),
        notice: options.notice ?? (() => {}),
        onLost: () => lost.abort(),
      }),
    );
    await tracer.span("target lock", () => lock!.lockTarget());
    // Planned again under the lock: another deployer may have changed the services meanwhile.
    const actions = planRollback(await readLive(), options.only, target.name);
    const working = AbortSignal.any([options.signal, lost.signal]);
    const reports = new Map(actions.map((a) => [a.desired.name, report(a)]));
    const context = reportingContext(working, options.log, tracer, reports);
    await tracer.span("prepare images", () => opened.prepare(actions, context));
    const limit = pLimit(4);
    await Promise.all(
      actions.map((action) =>
        limit(async () => {
          const outcome = reports.get(action.desired.name)!;
          if (working.aborted) return;
          const begin = performance.now();
          context.log(outcome.service, "rolling back to the previous version");
          try {
            await opened.apply(action, context);
            outcome.status = "done";
          } catch (error) {
            outcome.status = "failed";
            outcome.error = error;
          }
          outcome.ms = performance.now() - begin;
        }),
      ),
    );
    return {
      target,
      services: [...reports.values()],
      interrupted: working.aborted,
      totalMs: tracer.now() - started,
    };
  } finally {
    await lock?.release();
    opened.close();
  }
}

function report(action: ReplaceAction): ServiceOutcome {
  return {
    service: action.desired.name,
    action: "replace",
    reasons: action.reasons,
    from: action.live.imageId,
    to: action.desired.imageId,
    status: "not started",
    steps: {},
    ms: 0,
  };
}
