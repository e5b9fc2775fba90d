import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ServiceState } from "../events.js";
import { createDevHub, type DevHub } from "../hub.js";
import { type Dashboard, startDashboard } from "./index.js";
import { pageFilesDir } from "./page-files.js";

/** A file of the page as `npm run build` wrote it. */
const builtFile = (name: string) => readFileSync(path.join(pageFilesDir(), name), "utf8");

const open: Dashboard[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

function ready(service: string): ServiceState {
  return {
    service,
    status: "ready",
    imageId: "sha256:abc",
    containerId: "c1",
    lastUpdateAt: 1,
    error: undefined,
  };
}

async function start(hub: DevHub = createDevHub("shop"), heartbeatMs?: number) {
  const dashboard = await startDashboard(hub, heartbeatMs ? { heartbeatMs } : {});
  open.push(dashboard);
  return { hub, dashboard, port: Number(new URL(dashboard.url).port) };
}

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

/** node:http rather than fetch: fetch will not send a Host header of our choosing. */
function request(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      path,
      method: options.method ?? "GET",
      headers: options.headers,
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timed out: ${path}`)));
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.end();
  });
}

/** Reads server-sent events from /events until `count` frames (events or comments) arrived. */
function readFrames(port: number, count: number, onOpen: () => void = () => {}): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/events" });
    const timer = setTimeout(() => req.destroy(new Error("timed out waiting for events")), 5000);
    req.on("error", reject);
    req.on("response", (res) => {
      expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
      let buffer = "";
      const frames: string[] = [];
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith("retry:")) frames.push(frame);
          if (frames.length === 1) onOpen();
          end = buffer.indexOf("\n\n");
        }
        if (frames.length >= count) {
          clearTimeout(timer);
          req.destroy();
          resolve(frames.slice(0, count));
        }
      });
    });
    req.end();
  });
}

function parse(frame: string): { event: string; data: unknown } {
  const event = /^event: (.+)$/m.exec(frame)?.[1] ?? "";
  const data = /^data: (.+)$/m.exec(frame)?.[1] ?? "null";
  return { event, data: JSON.parse(data) };
}

describe("startDashboard", () => {
  it("listens on 127.0.0.1 and nowhere else", async () => {
    const { dashboard, port } = await start();
    expect(dashboard.url).toBe(`http://127.0.0.1:${port}/`);
    const others = Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address)
      .filter((a): a is string => a !== undefined && a !== "127.0.0.1");
    for (const address of others) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: address, port });
        socket.setTimeout(2000, () => socket.destroy(new Error("timeout")));
        socket.on("connect", () => {
          socket.destroy();
          resolve(false);
        });
        socket.on("error", () => resolve(true));
      });
      expect(refused, `reachable on ${address}`).toBe(true);
    }
  });

  it.each([
    { description: "a rebinding host name", host: "evil.example:PORT", status: 403 },
    { description: "the right name on another port", host: "127.0.0.1:1", status: 403 },
    { description: "localhost with the port", host: "localhost:PORT", status: 200 },
    { description: "the loopback address with the port", host: "127.0.0.1:PORT", status: 200 },
  ])("answers $status to a Host of $description", async ({ host, status }) => {
    const { port } = await start();
    const answer = await request(port, "/", { headers: { Host: host.replace("PORT", String(port)) } });
    expect(answer.status).toBe(status);
  });

  it("serves the page and its own script and style under a policy that forbids anything else", async () => {
    const { port } = await start();
    const page = await request(port, "/");
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(page.body).toContain('src="/dashboard.js"');
    expect(page.body).not.toMatch(/https?:\/\//);
    const script = await request(port, "/dashboard.js");
    expect(script.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(script.body).toBe(builtFile("dashboard.js"));
    expect((await request(port, "/dashboard.css")).status).toBe(200);
    expect((await request(port, "/nope")).status).toBe(404);
  });

  it("serves every module of the script at the top level, where their relative imports point", async () => {
    const { port } = await start();
    const scriptFiles = readdirSync(pageFilesDir()).filter((name) => name.endsWith(".js"));
    expect(scriptFiles.length).toBeGreaterThan(1);
    for (const name of scriptFiles) {
      const answer = await request(port, `/${name}`);
      expect(answer.status).toBe(200);
      expect(answer.headers["content-type"]).toMatch(/^text\/javascript/);
      expect(answer.headers["content-security-policy"]).toContain("default-src 'none'");
      expect(answer.body).toBe(builtFile(name));
    }
  });

  it("ships a script that parses", () => {
    // The entry module and the modules it imports.
    const scriptFiles = readdirSync(pageFilesDir()).filter((name) => name.endsWith(".js"));
    expect(scriptFiles).toContain("dashboard.js");
    // Module syntax, which `new Function` cannot parse; node checks each file as the ES module it is.
    for (const name of scriptFiles) {
      expect(() =>
        execFileSync(process.execPath, ["--check", path.join(pageFilesDir(), name)]),
      ).not.toThrow();
    }
  });

  it("streams the snapshot first, then each event as it happens", async () => {
    const hub = createDevHub("shop");
    hub.setService(ready("api"));
    const before = hub.snapshot();
    const { port } = await start(hub);
    const frames = await readFrames(port, 2, () =>
      hub.addLog({ service: "api", stream: "stdout", line: "hi", at: 2 }),
    );
    expect(parse(frames[0]!)).toEqual({ event: "snapshot", data: before });
    expect(parse(frames[1]!)).toEqual({
      event: "log",
      data: { service: "api", stream: "stdout", line: "hi", at: 2 },
    });
  });

  it("sends a comment as a heartbeat while nothing happens", async () => {
    const { port } = await start(createDevHub("shop"), 20);
    const frames = await readFrames(port, 2);
    expect(frames[1]).toBe(": heartbeat");
  });

  it("ends open event streams on close", async () => {
    const { dashboard, port } = await start();
    const ended = new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/events" }, (res) => {
        res.once("data", () => void dashboard.close());
        res.on("end", () => resolve("ended"));
        res.on("error", () => resolve("ended"));
        res.resume();
      });
      req.setTimeout(5000, () => reject(new Error("stream still open")));
      req.end();
    });
    await expect(ended).resolves.toBe("ended");
  });

  describe("POST /api/rebuild/<service>", () => {
    const cases: { description: string; path: string; headers: Record<string, string>; status: number }[] = [
      {
        description: "accepts a request from the page",
        path: "api",
        headers: { "X-Dray": "1" },
        status: 202,
      },
      { description: "refuses one without the header", path: "api", headers: {}, status: 403 },
      {
        description: "refuses one from a foreign origin",
        path: "api",
        headers: { "X-Dray": "1", Origin: "http://evil.example" },
        status: 403,
      },
      {
        description: "answers 404 for an unknown service",
        path: "web",
        headers: { "X-Dray": "1" },
        status: 404,
      },
      { description: "decodes the service name", path: "my%20svc", headers: { "X-Dray": "1" }, status: 202 },
    ];
    it.each(cases)("$description", async ({ path, headers, status }) => {
      const hub = createDevHub("shop");
      hub.setService(ready("api"));
      hub.setService(ready("my svc"));
      const calls: string[] = [];
      hub.onRebuild((service) => calls.push(service));
      const { port } = await start(hub);
      const answer = await request(port, `/api/rebuild/${path}`, { method: "POST", headers });
      expect(answer.status).toBe(status);
      expect(calls).toEqual(status === 202 ? [decodeURIComponent(path)] : []);
    });

    it("allows POST only", async () => {
      const hub = createDevHub("shop");
      hub.setService(ready("api"));
      const { port } = await start(hub);
      const answer = await request(port, "/api/rebuild/api", { headers: { "X-Dray": "1" } });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe("POST");
    });
  });
});
