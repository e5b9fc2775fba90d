import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultOptions, requestKind, startProxy } from "./proxy.js";

/** A stand-in upstream that answers every request with the number of body bytes it received. */
let upstream: http.Server;
let target: string;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    req.on("end", () => {
      res.writeHead(201, { location: `http://${target}/v2/r/blobs/uploads/next` }).end(String(received));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  target = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

/** One request through the proxy: its status, or "dropped" when the connection was cut. */
function send(
  proxy: string,
  method: string,
  path: string,
  body = "",
): Promise<{ status: number | "dropped"; location?: string; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(`http://${proxy}${path}`, { method, agent: false }, (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode!, location: res.headers.location, text }));
    });
    req.on("error", () => resolve({ status: "dropped", text: "" }));
    req.end(body);
  });
}

describe("requestKind", () => {
  it.each([
    ["POST", "/v2/a/b/blobs/uploads/", "blob-upload"],
    ["PATCH", "/v2/a/blobs/uploads/uuid?_state=x", "blob-upload"],
    ["POST", "/v2/a/blobs/uploads/?mount=sha256:ab&from=b", "blob-mount"],
    ["HEAD", "/v2/a/blobs/sha256:ab", "blob"],
    ["PUT", "/v2/a/b/manifests/v1", "manifest"],
    ["GET", "/v2/", "other"],
  ])("%s %s is %s", (method, path, kind) => {
    expect(requestKind(method, path)).toBe(kind);
  });
});

describe("startProxy", () => {
  it("forwards, counts body bytes per kind and keeps clients on the proxy", async () => {
    const proxy = await startProxy(target);
    try {
      const answer = await send(proxy.url, "PATCH", "/v2/r/blobs/uploads/u1", "x".repeat(1000));
      expect(answer).toMatchObject({
        status: 201,
        text: "1000",
        location: `http://${proxy.url}/v2/r/blobs/uploads/next`,
      });
      await send(proxy.url, "PUT", "/v2/r/manifests/v1", "{}");
      const stats = proxy.stats();
      expect(stats.requestBytes).toMatchObject({ "blob-upload": 1000, manifest: 2, blob: 0 });
      expect(stats.requests).toEqual({ "PATCH blob-upload": 1, "PUT manifest": 1 });
      proxy.reset();
      expect(proxy.stats().requestBytes["blob-upload"]).toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it("injects the same faults for the same seed, never more than maxConsecutive in a row", async () => {
    const faults: FaultOptions = { seed: 7, rate: 0.5, maxConsecutive: 2 };
    const outcomes: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const proxy = await startProxy(target, { faults });
      try {
        const seen: string[] = [];
        for (let i = 0; i < 30; i++)
          seen.push(String((await send(proxy.url, "PUT", "/v2/r/manifests/v1", "{}")).status));
        outcomes.push(seen);
        const stats = proxy.stats();
        expect(stats.faults.drop + stats.faults["500"] + stats.faults["429"]).toBe(
          seen.filter((s) => s !== "201").length,
        );
      } finally {
        await proxy.stop();
      }
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(new Set(outcomes[0])).toEqual(new Set(["201", "dropped", "500", "429"]));
    // Same method and path every time: a fourth attempt always gets through.
    expect(outcomes[0]!.join(",")).not.toMatch(/(?:(?:dropped|500|429),){3}/);
  });

  it("fails every matching request when asked to, and only those", async () => {
    const proxy = await startProxy(target, {
      faults: {
        seed: 1,
        rate: 1,
        kinds: ["500"],
        maxConsecutive: Infinity,
        match: (r) => r.kind === "blob-upload",
      },
    });
    try {
      for (let i = 0; i < 5; i++)
        expect((await send(proxy.url, "POST", "/v2/r/blobs/uploads/")).status).toBe(500);
      expect((await send(proxy.url, "PUT", "/v2/r/manifests/v1", "{}")).status).toBe(201);
      proxy.setFaults(undefined);
      expect((await send(proxy.url, "POST", "/v2/r/blobs/uploads/")).status).toBe(201);
    } finally {
      await proxy.stop();
    }
  });
});
