import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiHost,
  BodyTooLargeError,
  createHttpTransport,
  isLoopbackHost,
  TransportTimeoutError,
} from "./http.js";

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1:5000", true],
    ["127.1.2.3", true],
    ["localhost:5000", true],
    ["[::1]:5000", true],
    ["::1", true],
    ["128.0.0.1", false],
    ["10.0.0.1:5000", false],
    ["ghcr.io", false],
    ["localhost.example.com", false],
  ])("%s → %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("maps docker.io to its API host", () => {
    expect(apiHost("docker.io")).toBe("registry-1.docker.io");
    expect(apiHost("ghcr.io")).toBe("ghcr.io");
  });
});

describe("transport against a local server", () => {
  let server: http.Server;
  let silent: net.Server;
  let base: string;
  let silentPort: number;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === "/hang") return; // never answers
      if (req.url === "/big") return res.end(Buffer.alloc(2048, 1));
      if (req.url === "/error") {
        res.writeHead(500);
        return res.end(Buffer.alloc(200 * 1024, 65));
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200, { "x-method": req.method, "x-length": String(req.headers["content-length"]) });
        res.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    // Accepts TCP connections and never speaks: a TLS handshake to it cannot finish.
    silent = net.createServer((socket) => {
      // Read (and drop) so the socket sees the client hang up and the server can close.
      socket.resume();
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await new Promise((r) => silent.close(r));
  });

  it("sends a body with its length and reads the response", async () => {
    const transport = createHttpTransport();
    const response = await transport.request({
      method: "PUT",
      url: new URL(`${base}/echo`),
      body: Buffer.from("hello"),
    });
    expect(response.status).toBe(200);
    expect(response.headers["x-length"]).toBe("5");
    expect(response.body.toString()).toBe("hello");
    transport.close();
  });

  it("fails a body over the cap, and cuts an error body instead of failing", async () => {
    const transport = createHttpTransport();
    await expect(
      transport.request({ method: "GET", url: new URL(`${base}/big`), maxBodyBytes: 1024 }),
    ).rejects.toThrow(BodyTooLargeError);
    const error = await transport.request({ method: "GET", url: new URL(`${base}/error`) });
    expect(error.status).toBe(500);
    expect(error.body.length).toBe(64 * 1024);
    transport.close();
  });

  it("times out when no byte moves", async () => {
    const transport = createHttpTransport({ idleTimeoutMs: 200 });
    const error = await transport.request({ method: "GET", url: new URL(`${base}/hang`) }).catch((e) => e);
    expect(error).toBeInstanceOf(TransportTimeoutError);
    expect(error.phase).toBe("idle");
    expect(error.code).toBe("ETIMEDOUT");
    transport.close();
  });

  it("times out when the TLS handshake does not finish", async () => {
    const transport = createHttpTransport({ connectTimeoutMs: 200, idleTimeoutMs: 5000 });
    const error = await transport
      .request({ method: "GET", url: new URL(`https://127.0.0.1:${silentPort}/`) })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransportTimeoutError);
    expect(error.phase).toBe("connect");
    expect(error.message).toBe("connecting took more than 0.2 s");
    transport.close();
  });
});
