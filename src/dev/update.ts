import type { DockerTargetConfig, GoService } from "../config/index.js";
import type { EngineClient } from "../engine/index.js";
import { buildForEngine } from "../engine/index.js";
import { compileGoService, compileGoServiceTo } from "../go/index.js";
import { planUpdate } from "./classify.js";
import type { UpdateStep } from "./events.js";
import type { DevHub } from "./hub.js";
import type { ProjectInputs } from "./inputs.js";
import { liveUpdate } from "./live-update.js";
import { compileInPlace } from "./place-binary.js";
import { restartProcess, waitForReady } from "./ready.js";
import type { RunningService, RunningServices } from "./running.js";
import type { Work } from "./work-queue.js";

/** The dashboard's button: "from scratch" — no cache, and a new container even if identical. */
export const REBUILD_REQUESTED = "rebuild requested";

export interface UpdateContext {
  root: string;
  /** `.dray/dev`: where live-update binaries are compiled. */
  devDir: string;
  platform: string;
  target: DockerTargetConfig;
  engine: EngineClient;
  env: NodeJS.ProcessEnv;
  hub: DevHub;
  inputs: ProjectInputs;
  services: RunningServices;
  notice: (line: string) => void;
  /** Rebuilds and redeploys these services; returns the failures by service. */
  deploy: (names: readonly string[], force: boolean) => Promise<Map<string, string>>;
  nextId: () => number;
}

export async function runUpdate(ctx: UpdateContext, r: RunningService, work: Work): Promise<void> {
  const name = r.service.name;
  const steps: UpdateStep[] = [{ name: "detect", ms: performance.now() - work.firstAt }];
  const step = async <T>(stepName: string, fn: () => Promise<T>): Promise<T> => {
    const begin = performance.now();
    try {
      return await fn();
    } finally {
      steps.push({ name: stepName, ms: performance.now() - begin });
    }
  };
  const record = (ok: boolean, reason: string, kind: "live" | "rebuild", error?: string) =>
    ctx.hub.addUpdate({
      id: ctx.nextId(),
      service: name,
      kind,
      reason,
      at: Date.now(),
      steps,
      totalMs: performance.now() - work.firstAt,
      ok,
      ...(error ? { error } : {}),
    });
  const files = [...work.files];
  const plan = work.rebuild
    ? { kind: "rebuild" as const, reason: work.rebuild }
    : planUpdate(r.service, files, ctx.root);

  if (plan.kind === "rebuild" || !r.container) {
    const reason = plan.kind === "rebuild" ? plan.reason : "no running container to update";
    ctx.notice(`${name}: rebuilding and redeploying — ${reason}`);
    const failures = await step("build + deploy", () =>
      ctx.deploy([name], work.rebuild === REBUILD_REQUESTED),
    );
    record(!failures.has(name), reason, "rebuild", failures.get(name));
    return;
  }
  ctx.services.setState(name, "updating");
  const result = await liveUpdate(
    {
      engine: ctx.engine,
      container: r.container,
      service: r.service,
      ...compileStep(ctx, r),
      restart: () => restartProcess(ctx.engine, r.container!, r.wrapped, r.reload),
      waitReady: () => waitForReady(ctx.engine, r.container!, r.service, ctx.target),
      copied: r.copied,
      step,
    },
    plan,
  );
  if (result.ok) {
    ctx.services.setState(name, "ready");
    record(true, plan.reason, "live");
  } else {
    const message = result.stage === "compile" ? result.message : `${result.stage}: ${result.message}`;
    ctx.services.setState(name, "failed", message);
    record(false, plan.reason, "live", message);
  }
}

/**
 * A Go service compiles for the engine's platform with its image's settings — into its container's
 * mount where it has one, else on the host for a copy; other kinds have no compile.
 */
function compileStep(ctx: UpdateContext, r: RunningService) {
  const goMain = ctx.inputs.goMain(r.service.name);
  const toolchain = ctx.inputs.toolchain;
  if (r.service.kind !== "go" || !goMain || !toolchain) return {};
  const service = r.service as GoService;
  const platform = buildForEngine(ctx.platform, service.platforms, (p) => p) ?? service.platforms[0]!;
  // Decided before the compile: a deploy meanwhile cannot change it under this update.
  const liveFile = r.liveFile;
  if (liveFile)
    return {
      compileInPlace: () =>
        compileInPlace(
          (out) => compileGoServiceTo(service, goMain, platform, toolchain, out, ctx.env),
          liveFile,
        ),
    };
  return {
    compile: () => compileGoService(service, goMain, platform, toolchain, ctx.devDir, ctx.env),
  };
}
