import { describe, expect, it } from "vitest";
import type { ResolvedService } from "../config/types.js";
import type { EngineClient, EngineRequest } from "../engine/client.js";
import { type LiveUpdateDeps, liveUpdate } from "./live-update.js";

/** An engine that records requests and answers archive PUTs, path stats and execs as a real one would. */
function fakeEngine(options: { statSize?: (sent: number) => number; execExit?: number } = {}) {
  const requests: EngineRequest[] = [];
  let lastSize = 0;
  const engine = {
    address: { kind: "unix", socketPath: "/fake.sock", text: "unix:///fake.sock" },
    async raw(request: EngineRequest) {
      requests.push(request);
      if (request.method === "PUT") {
        lastSize = (request.body as Buffer).length;
        return { status: 200, body: Buffer.alloc(0) };
      }
      if (request.method === "HEAD") {
        // The tar carries the file plus headers and padding; report the file's own size.
        const size = options.statSize ? options.statSize(lastSize) : fileSize;
        const stat = Buffer.from(JSON.stringify({ size, mode: 0o755 })).toString("base64");
        return { status: 200, body: Buffer.alloc(0), headers: { "x-docker-container-path-stat": stat } };
      }
      return { status: 200, body: Buffer.from("migrated\n") };
    },
    async json(request: EngineRequest) {
      requests.push(request);
      if (request.path.endsWith("/exec")) return { Id: "exec1" };
      return { ExitCode: options.execExit ?? 0 };
    },
    stream: async () => {
      throw new Error("not used");
    },
    close() {},
  } as unknown as EngineClient;
  return { engine, requests };
}

let fileSize = 0;
const binary = Buffer.from("a new binary");
const service = (run: string[][] = []) =>
  ({
    name: "api",
    kind: "go",
    binaryPath: "/app/api",
    live: { sync: [], run, restart: true },
  }) as unknown as ResolvedService;

function deps(engine: EngineClient, svc: ResolvedService, copied = new Map<string, string>()) {
  const steps: string[] = [];
  let restarts = 0;
  return {
    steps,
    restarts: () => restarts,
    value: {
      engine,
      container: "c1",
      service: svc,
      compile: async () => ({ ok: true as const, binary }),
      restart: async () => {
        restarts++;
      },
      waitReady: async () => ({ ok: true as const }),
      copied,
      step: async <T>(name: string, fn: () => Promise<T>) => {
        steps.push(name);
        return fn();
      },
    } as LiveUpdateDeps,
  };
}

describe("liveUpdate", () => {
  it("compiles, copies the binary, checks what landed, restarts and waits for ready", async () => {
    fileSize = binary.length;
    const { engine, requests } = fakeEngine();
    const d = deps(engine, service());
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: true, copiedBytes: binary.length, skipped: 0 });
    expect(d.steps).toEqual(["compile", "copy", "restart", "ready"]);
    expect(requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query ?? {})}`)).toEqual([
      'PUT /containers/c1/archive {"path":"/app","noOverwriteDirNonDir":true}',
      'HEAD /containers/c1/archive {"path":"/app/api"}',
    ]);
    expect(d.restarts()).toBe(1);
  });

  it("sends nothing and restarts nothing when the content is what the container already has", async () => {
    fileSize = binary.length;
    const { engine, requests } = fakeEngine();
    const copied = new Map<string, string>();
    await liveUpdate(deps(engine, service(), copied).value, { compile: true, sync: [] });
    const second = deps(engine, service(), copied);
    requests.length = 0;
    const result = await liveUpdate(second.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: true, copiedBytes: 0, skipped: 1 });
    expect(requests).toEqual([]);
    expect(second.restarts()).toBe(0);
  });

  it("fails the copy when the container does not have what was sent, and restarts nothing", async () => {
    const { engine } = fakeEngine({ statSize: () => 3 });
    const d = deps(engine, service());
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({
      ok: false,
      stage: "copy",
      message: `/app/api: the container has 3 bytes, ${binary.length} were sent`,
    });
    expect(d.restarts()).toBe(0);
  });

  it("runs the rule's commands in the container and stops at the first that fails", async () => {
    fileSize = binary.length;
    const { engine } = fakeEngine({ execExit: 3 });
    const d = deps(engine, service([["/app/api", "migrate"]]));
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toMatchObject({
      ok: false,
      stage: "run",
      message: expect.stringMatching(/^\/app\/api migrate exited with 3/),
    });
    expect(d.restarts()).toBe(0);
  });

  it("on the mount way: compiles, swaps, restarts — nothing goes through the engine", async () => {
    const { engine, requests } = fakeEngine();
    const d = deps(engine, service());
    let swaps = 0;
    d.value.compileInPlace = async () => ({
      ok: true as const,
      swap: async () => {
        swaps++;
        return true;
      },
    });
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: true, copiedBytes: 0, skipped: 0 });
    expect(d.steps).toEqual(["compile", "swap", "restart", "ready"]);
    expect(requests).toEqual([]);
    expect(swaps).toBe(1);
    expect(d.restarts()).toBe(1);
  });

  it("on the mount way: a binary identical to the live one restarts nothing", async () => {
    const { engine, requests } = fakeEngine();
    const d = deps(engine, service());
    d.value.compileInPlace = async () => ({ ok: true as const, swap: async () => false });
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: true, copiedBytes: 0, skipped: 1 });
    expect(requests).toEqual([]);
    expect(d.restarts()).toBe(0);
  });

  it("on the mount way: a compile error swaps nothing", async () => {
    const { engine } = fakeEngine();
    const d = deps(engine, service());
    d.value.compileInPlace = async () => ({ ok: false as const, output: "main.go:3: syntax error" });
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: false, stage: "compile", message: "main.go:3: syntax error" });
    expect(d.steps).toEqual(["compile"]);
    expect(d.restarts()).toBe(0);
  });

  it("reports a compile error without touching the container", async () => {
    const { engine, requests } = fakeEngine();
    const d = deps(engine, service());
    d.value.compile = async () => ({ ok: false as const, output: "main.go:3: syntax error" }) as never;
    const result = await liveUpdate(d.value, { compile: true, sync: [] });
    expect(result).toEqual({ ok: false, stage: "compile", message: "main.go:3: syntax error" });
    expect(requests).toEqual([]);
  });
});
