/**
 * Compiling Go services in batches: every compile requested in the same tick is grouped by
 * (module, platform, flags) and each group is one `go build -o DIR/ pkg…`. Separate `go build`
 * processes on a cold cache compile the same standard-library packages side by side; one process
 * compiles each package once and links the binaries in parallel itself. A failing group is retried
 * one service at a time, so a compile error is charged to the service that has it and the others
 * still build.
 */
import { randomBytes } from "node:crypto";
import { copyFile, link, mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Platform } from "../oci/index.js";
import { platformName } from "../oci/index.js";
import { compileFailure, type LocateSetting, missingCompilerError } from "./compile-failure.js";
import { cCompilerFor, currentHost } from "./cross-cc.js";
import { goBuildArgs } from "./flags.js";
import { type GoBuildable, runGoBuild } from "./go-build.js";
import type { GoMain } from "./main-package.js";
import type { GoToolchain } from "./toolchain.js";

/**
 * A compiled binary and the milliseconds its service waited on the compiler for it. The binary stays
 * on disk (a build may compile hundreds at once): `path` is a file of this request's own in the
 * scratch directory, which the caller reads and may delete; it goes with the scratch directory anyway.
 */
export interface CompiledBinary {
  path: string;
  size: number;
  ms: number;
}

/** Compiles one service for one platform and returns where its binary is, with the time it took. */
export interface GoCompiler {
  compile(service: GoBuildable, main: GoMain, platform: Platform): Promise<CompiledBinary>;
}

/** What the compiler records of each compile: a tracer has both (kept this narrow so Go code needs no reporting code). */
export interface CompileTimer {
  /** Milliseconds on the tracer's clock. */
  now(): number;
  record(span: {
    name: string;
    subject: string;
    start: number;
    duration: number;
    attrs: Record<string, number>;
  }): void;
}

interface Request {
  service: GoBuildable;
  main: GoMain;
  platform: Platform;
  /** Compile time charged to this request so far (a failed batch, then its own retry). */
  ms: number;
  resolve: (compiled: CompiledBinary) => void;
  reject: (error: unknown) => void;
}

/** What the compiler needs from outside. */
export interface BatchDeps {
  toolchain: GoToolchain;
  env: NodeJS.ProcessEnv;
  tmpDir: string;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  tracer: CompileTimer;
  signal?: AbortSignal;
  onCompile?: (service: string, platform: string) => void;
  /** Where a service's `cgo` and `tags` are written, for the hints of a failed compile. */
  locate?: LocateSetting;
}

/** A compiler that batches the requests of each tick. */
export function createBatchingCompiler(deps: BatchDeps): GoCompiler {
  let pending: Request[] = [];
  let batchNo = 0;
  const flush = () => {
    const requests = pending;
    pending = [];
    for (const group of groupRequests(requests)) {
      const dir = path.join(deps.tmpDir, `go-${batchNo++}`);
      void deps.limit(() => runGroup(group, dir, deps));
    }
  };
  return {
    compile(service, main, platform) {
      return new Promise<CompiledBinary>((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ service, main, platform, ms: 0, resolve, reject });
      });
    },
  };
}

/**
 * The binary `go build -o DIR/` writes for a package: its last import path element, skipping a
 * major-version suffix — which Go recognises only from /v2 up (/v0 and /v1 are ordinary names).
 */
export function execName(importPath: string): string {
  const parts = importPath.split("/");
  const last = parts[parts.length - 1] ?? importPath;
  return /^v([2-9]|[1-9][0-9]+)$/.test(last) && parts.length > 1 ? parts[parts.length - 2]! : last;
}

/** Requests that can share one `go build`, split further so no two write the same binary name. */
export function groupRequests<T extends Pick<Request, "service" | "main" | "platform">>(
  requests: readonly T[],
): T[][] {
  const groups = new Map<string, T[][]>();
  for (const request of requests) {
    const key = [
      request.main.moduleRoot,
      platformName(request.platform),
      request.service.cgo,
      goBuildArgs(request.service).join(" "),
    ].join("\0");
    const buckets = groups.get(key) ?? [];
    const name = execName(request.main.importPath);
    const free = buckets.find(
      (b) =>
        !b.some((r) => execName(r.main.importPath) === name && r.main.importPath !== request.main.importPath),
    );
    if (free) free.push(request);
    else buckets.push([request]);
    groups.set(key, buckets);
  }
  return [...groups.values()].flat();
}

async function runGroup(all: Request[], dir: string, deps: BatchDeps): Promise<void> {
  try {
    const group = withCCompiler(all, deps);
    if (group.length === 0) return;
    const result = await compileTogether(group, dir, deps);
    if (result.ok) return;
    if (group.length === 1) {
      group[0]!.reject(await compileError(group[0]!, result.output, deps));
      return;
    }
    // Someone in the group does not compile: find out who, one at a time (the cache makes the rest cheap).
    for (const request of group) {
      const single = await compileTogether([request], `${dir}-${execName(request.main.importPath)}`, deps);
      if (!single.ok) request.reject(await compileError(request, single.output, deps));
    }
  } catch (error) {
    // A promise settles once: the requests already rejected by name keep their own error.
    for (const request of all) request.reject(error);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One `go build` for the group; resolves each request whose binary was written. */
async function compileTogether(
  group: Request[],
  dir: string,
  deps: BatchDeps,
): Promise<{ ok: true } | { ok: false; output: string }> {
  const first = group[0]!;
  await mkdir(dir, { recursive: true });
  const packages = [...new Set(group.map((r) => r.main.relPackage))];
  for (const request of group) deps.onCompile?.(request.service.name, platformName(request.platform));
  const started = deps.tracer.now();
  const result = await runGoBuild(first.service, first.platform, {
    toolchain: deps.toolchain,
    cwd: first.main.moduleRoot,
    packages,
    out: `${dir}${path.sep}`,
    // A group shares one module, so one module environment (GOFLAGS, GOWORK).
    env: { ...deps.env, ...first.main.env },
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const duration = deps.tracer.now() - started;
  // Each service is charged the whole shared compile: it is what it waited for.
  for (const request of group) {
    request.ms += duration;
    deps.tracer.record({
      name: "compile",
      subject: `${request.service.name} ${platformName(request.platform)}`,
      start: started,
      duration,
      attrs: { batch: group.length },
    });
  }
  if (result.code !== 0) return { ok: false, output: result.stderr || result.stdout };
  // Hard links out of the batch directory (removed when the batch ends): two services built from one
  // package share one output file, and each gets a name of its own to delete.
  const binaries = await Promise.all(
    group.map(async (request) => {
      const name = execName(request.main.importPath);
      const own = path.join(deps.tmpDir, `bin-${randomBytes(6).toString("hex")}-${name}`);
      const built = path.join(dir, name);
      // A file system without hard links still gets each service a file of its own.
      await link(built, own).catch(() => copyFile(built, own));
      return { path: own, size: (await stat(own)).size };
    }),
  );
  for (const [i, request] of group.entries()) request.resolve({ ...binaries[i]!, ms: request.ms });
  return { ok: true };
}

/** The requests whose C compiler is there; the others are rejected before go runs, each by name. */
function withCCompiler(group: Request[], deps: BatchDeps): Request[] {
  const host = currentHost(deps.env);
  return group.filter((request) => {
    const cc = cCompilerFor(request.service, request.platform, deps.env, host);
    if (cc.kind !== "missing") return true;
    request.reject(missingCompilerError(request.service, request.platform, cc));
    return false;
  });
}

function compileError(request: Request, output: string, deps: BatchDeps) {
  return compileFailure(request.service, request.main, request.platform, output, {
    toolchain: deps.toolchain,
    // The module's own GOFLAGS and GOWORK, as the compile had them.
    env: { ...deps.env, ...request.main.env },
    ...(deps.locate ? { locate: deps.locate } : {}),
  });
}
