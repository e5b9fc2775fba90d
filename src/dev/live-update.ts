/**
 * One live update of one running container: compile (Go) — straight into the directory the
 * container runs its binary from (then "swap": a rename), or on the host and copied in — copy
 * only what changed (content hashes), verify what landed, run the rule's commands, restart, and
 * wait for the first healthy answer. Every step is timed. A compile error stops before anything
 * is touched, so the old version keeps running.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { GoService, ResolvedService } from "../config/index.js";
import type { ProbeResult } from "../deploy/index.js";
import type { EngineClient } from "../engine/index.js";
import { type ContainerFile, execInContainer, putFiles, statPath } from "../engine/index.js";
import type { CompileResult } from "../go/index.js";
import type { SyncFile } from "./classify.js";
import type { InPlaceCompile } from "./place-binary.js";

export interface LiveUpdateDeps {
  engine: EngineClient;
  container: string;
  service: ResolvedService;
  /** Compiles the Go service (undefined for other kinds). */
  compile?: () => Promise<CompileResult>;
  /** Compiles beside the binary the container runs from its mount; used instead of `compile` when set. */
  compileInPlace?: () => Promise<InPlaceCompile>;
  /** Starts the service's process again: through dray's supervisor when it runs behind one, else by restarting the container. */
  restart: () => Promise<void>;
  /** Waits until the restarted process answers its health check (or is running, without one). */
  waitReady: () => Promise<ProbeResult>;
  /** Content hash of what was last copied to each container path: only changed content travels. */
  copied: Map<string, string>;
  /** Times a step. */
  step: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

export type LiveUpdateResult =
  | { ok: true; copiedBytes: number; skipped: number }
  | { ok: false; stage: "compile" | "copy" | "run" | "ready"; message: string };

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

export async function liveUpdate(
  deps: LiveUpdateDeps,
  plan: { compile: boolean; sync: readonly SyncFile[] },
): Promise<LiveUpdateResult> {
  const files: ContainerFile[] = [];
  // The mount way: whether the binary changed, or undefined when it travels as a file.
  let swapped: boolean | undefined;
  if (plan.compile && deps.compileInPlace) {
    const compiled = await deps.step("compile", deps.compileInPlace);
    if (!compiled.ok) return { ok: false, stage: "compile", message: compiled.output };
    swapped = await deps.step("swap", compiled.swap);
  } else if (plan.compile && deps.compile) {
    const compiled = await deps.step("compile", deps.compile);
    if (!compiled.ok) return { ok: false, stage: "compile", message: compiled.output };
    files.push({ path: (deps.service as GoService).binaryPath, data: compiled.binary, mode: 0o755 });
  }
  for (const file of plan.sync) {
    const data = await readFile(file.from).catch(() => undefined);
    if (data) files.push({ path: file.to, data, mode: 0o644 });
  }
  // "copy" covers comparing (one hash per file: tens of milliseconds for a 30 MB binary), sending
  // what differs, and checking what landed; on the mount way it is there only for synced files.
  const copy = (fn: () => Promise<{ changed: ContainerFile[]; problem: string | undefined }>) =>
    swapped !== undefined && files.length === 0 ? fn() : deps.step("copy", fn);
  const copied = await copy(async () => {
    const hashes = files.map((f) => sha256(f.data));
    const changed = files.filter((f, i) => deps.copied.get(f.path) !== hashes[i]);
    if (changed.length === 0) return { changed, problem: undefined };
    await putFiles(deps.engine, deps.container, changed);
    // What the engine now has at each path must be what was sent; a short write is caught here.
    for (const file of changed) {
      const stat = await statPath(deps.engine, deps.container, file.path);
      if (!stat || stat.size !== file.data.length)
        return {
          changed,
          problem: `${file.path}: the container has ${stat ? `${stat.size} bytes` : "nothing"}, ${file.data.length} were sent`,
        };
    }
    files.forEach((f, i) => {
      if (changed.includes(f)) deps.copied.set(f.path, hashes[i]!);
    });
    return { changed, problem: undefined };
  });
  if (copied.problem) return { ok: false, stage: "copy", message: copied.problem };
  const { changed } = copied;
  const copiedBytes = changed.reduce((sum, f) => sum + f.data.length, 0);
  // The same bytes as the container runs (a comment, a reverted edit): nothing to copy, nothing to restart.
  const total = files.length + (swapped === undefined ? 0 : 1);
  if (changed.length === 0 && !swapped && total > 0) return { ok: true, copiedBytes: 0, skipped: total };
  for (const argv of deps.service.live.run) {
    const { exitCode, output } = await deps.step("run", () =>
      execInContainer(deps.engine, deps.container, argv),
    );
    if (exitCode !== 0)
      return {
        ok: false,
        stage: "run",
        message: `${argv.join(" ")} exited with ${exitCode}\n${output.toString("utf8")}`,
      };
  }
  // A new binary needs a new process; synced files only when the rule says so.
  if (plan.compile || deps.service.live.restart) {
    await deps.step("restart", deps.restart);
  }
  const ready = await deps.step("ready", deps.waitReady);
  if (!ready.ok) return { ok: false, stage: "ready", message: ready.reason };
  return { ok: true, copiedBytes, skipped: total - changed.length - (swapped ? 1 : 0) };
}
