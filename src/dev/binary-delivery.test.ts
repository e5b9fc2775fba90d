import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResolvedService } from "../config/types.js";
import type { DesiredService } from "../deploy/types.js";
import { parseEngineAddress } from "../engine/address.js";
import type { EngineClient, EngineRequest } from "../engine/client.js";
import { UserError } from "../errors/index.js";
import {
  attachLiveFile,
  chooseDelivery,
  cleanLiveDirs,
  liveName,
  mountingWrapper,
  prepareLiveDirs,
} from "./binary-delivery.js";
import type { RunningService } from "./running.js";

const unix = parseEngineAddress("unix:///var/run/docker.sock", "test");
const tcp = parseEngineAddress("tcp://127.0.0.1:2375", "test");
const imageId = `sha256:${"ab".repeat(32)}`;

describe("chooseDelivery", () => {
  it("mounts on an engine reached through a unix socket, under .dray/dev/live", () => {
    expect(chooseDelivery(unix, {}, "/p/.dray/dev")).toEqual({ kind: "mount", root: "/p/.dray/dev/live" });
    expect(chooseDelivery(unix, { DRAY_DEV_COPY: "auto" }, "/p/.dray/dev").kind).toBe("mount");
  });

  it("copies through the archive API over TCP, or when asked to", () => {
    expect(chooseDelivery(tcp, {}, "/p/.dray/dev")).toEqual({
      kind: "archive",
      reason: "the engine is reached over TCP (tcp://127.0.0.1:2375)",
    });
    expect(chooseDelivery(unix, { DRAY_DEV_COPY: "archive" }, "/p/.dray/dev")).toEqual({
      kind: "archive",
      reason: "DRAY_DEV_COPY=archive",
    });
  });

  it("refuses a value it does not know, as a usage error", () => {
    const error = (() => {
      try {
        chooseDelivery(unix, { DRAY_DEV_COPY: "rsync" }, "/p/.dray/dev");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
  });
});

describe("mountingWrapper", () => {
  const base = { path: "/.dray/dray-supervise", binary: Buffer.from("x"), digest: "c".repeat(64), env: {} };
  const api = { name: "api", kind: "go", binaryPath: "/app/api" } as unknown as ResolvedService;
  const desired = (entrypoint: string[]) =>
    ({ name: "api", imageId, spec: { image: { entrypoint } } }) as unknown as DesiredService;
  const wrapper = mountingWrapper(base, "/p/.dray/dev/live", (name) => (name === "api" ? api : undefined));

  it("binds only the service's own live directory, read-only, and names the image's live binary", () => {
    expect(wrapper.forService!(desired(["/app/api"]))).toEqual({
      binds: ["/p/.dray/dev/live/api:/.dray/live:ro"],
      env: { DRAY_SUPERVISE_LIVE: `/.dray/live/${liveName(imageId)}` },
    });
    expect(liveName(imageId)).toBe(`bin-${"ab".repeat(8)}`);
  });

  it("leaves a service whose command does not start with its binary to the archive copy", () => {
    expect(wrapper.forService!(desired(["/bin/sh", "-c", "/app/api"]))).toBeUndefined();
  });

  it("has a digest of its own, so containers made for the archive copy are replaced", () => {
    expect(wrapper.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(wrapper.digest).not.toBe(base.digest);
  });
});

describe("attachLiveFile", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "dray-live-"));
    await mkdir(path.join(root, "api"));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** An engine whose container sees `hostDir` at /.dray/live when `shares`. */
  const engine = (shares: boolean) =>
    ({
      async raw(request: EngineRequest) {
        const file = String(request.query?.path ?? "");
        const size = shares
          ? await stat(path.join(root, "api", path.posix.basename(file))).then(
              (s) => s.size,
              () => undefined,
            )
          : undefined;
        if (size === undefined) return { status: 404, body: Buffer.alloc(0) };
        const header = Buffer.from(JSON.stringify({ size, mode: 0o644 })).toString("base64");
        return { status: 200, body: Buffer.alloc(0), headers: { "x-docker-container-path-stat": header } };
      },
    }) as unknown as EngineClient;
  const running = () =>
    ({
      service: { name: "api", kind: "go" },
      container: "c1",
      imageId,
      wrapped: true,
      liveFile: undefined,
      liveFor: undefined,
    }) as unknown as RunningService;

  it("uses the mount when the container sees a marker written on the host, and drops other images' binaries", async () => {
    await writeFile(path.join(root, "api", "bin-0000000000000000"), "an older image's binary");
    const r = running();
    expect(await attachLiveFile({ kind: "mount", root }, engine(true), r)).toBeUndefined();
    expect(r.liveFile).toBe(path.join(root, "api", liveName(imageId)));
    expect(await readdir(path.join(root, "api"))).toEqual([]);
  });

  it("falls back to the archive copy, and says so, when the container does not see the host's files", async () => {
    const r = running();
    const notice = await attachLiveFile({ kind: "mount", root }, engine(false), r);
    expect(r.liveFile).toBeUndefined();
    expect(notice).toMatch(
      /api: its container does not see .*; its binary is copied through the engine's archive API/,
    );
    expect(await readdir(path.join(root, "api"))).toEqual([]);
  });

  it("does nothing on the archive way", async () => {
    const r = running();
    expect(await attachLiveFile({ kind: "archive", reason: "x" }, engine(true), r)).toBeUndefined();
    expect(r.liveFile).toBeUndefined();
  });
});

describe("live directories", () => {
  let root: string;
  beforeEach(async () => {
    root = path.join(await mkdtemp(path.join(tmpdir(), "dray-live-dirs-")), "live");
  });
  afterEach(() => rm(path.dirname(root), { recursive: true, force: true }));

  it("are made before the containers (the engine would make them as root), dropping a crashed session's leftovers", async () => {
    await prepareLiveDirs(root, ["api"]);
    await writeFile(path.join(root, "api", "bin-1"), "live");
    await writeFile(path.join(root, "api", ".tmp-abc"), "half");
    await writeFile(path.join(root, "api", ".probe-abc"), "marker");
    await prepareLiveDirs(root, ["api", "orders"]);
    expect(await readdir(path.join(root, "api"))).toEqual(["bin-1"]);
    expect(await readdir(path.join(root, "orders"))).toEqual([]);
  });

  it("keep the running containers' binaries on exit, and go with them on --down", async () => {
    await prepareLiveDirs(root, ["api"]);
    await writeFile(path.join(root, "api", "bin-1"), "live");
    await writeFile(path.join(root, "api", ".tmp-abc"), "half");
    await cleanLiveDirs(root, ["api"], false);
    expect(await readdir(path.join(root, "api"))).toEqual(["bin-1"]);
    await cleanLiveDirs(root, ["api"], true);
    await expect(stat(root)).rejects.toThrow();
  });
});
