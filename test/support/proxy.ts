/**
 * TEST HELPER: a loopback reverse proxy in front of a registry. Clients talk to it as if it were the
 * registry; it forwards every request, counts request and response body bytes per kind of request (blob
 * uploads, manifests…), and can inject faults — drop the connection mid-request, answer 500, answer 429
 * with Retry-After: 0 — for a fraction of requests, decided by a seeded PRNG so a run is repeatable and
 * bounded (at most `maxConsecutive` faults in a row for one method and path, at most `maxFaults` in all).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "./prng.js";

/** What a request is, by its path (Distribution spec endpoints end-1 … end-13). */
export type RequestKind = "blob-upload" | "blob-mount" | "blob" | "manifest" | "other";
/** A fault the proxy can inject. */
export type FaultKind = "drop" | "500" | "429";

/** When and how to fail requests. */
export interface FaultOptions {
  seed: number;
  /** Fraction (0…1) of matching requests that fail. */
  rate: number;
  /** Which faults to choose from, uniformly; default all three. */
  kinds?: FaultKind[];
  /** Which requests may fail; default all. */
  match?: (request: { method: string; path: string; kind: RequestKind }) => boolean;
  /** Most faults in a row for one method and path, so a retrying client gets through; default 2. */
  maxConsecutive?: number;
  /** Most faults in all; default unlimited. */
  maxFaults?: number;
}

/** What went through the proxy since the start or the last reset(). */
export interface ProxyStats {
  /** "METHOD kind" → count, e.g. "PUT manifest". */
  requests: Record<string, number>;
  /** Bytes of request bodies received from clients, per kind. */
  requestBytes: Record<RequestKind, number>;
  /** Bytes of response bodies sent to clients, per kind. */
  responseBytes: Record<RequestKind, number>;
  faults: Record<FaultKind, number>;
}

/** A running proxy. */
export interface TestProxy {
  /** "127.0.0.1:port", to use in place of the registry's address. */
  url: string;
  stats(): ProxyStats;
  reset(): void;
  /** Change (or, with undefined, stop) fault injection; the PRNG restarts from the new seed. */
  setFaults(faults: FaultOptions | undefined): void;
  stop(): Promise<void>;
}

const KINDS: RequestKind[] = ["blob-upload", "blob-mount", "blob", "manifest", "other"];

/** Classifies a request by method and path. */
export function requestKind(method: string, url: string): RequestKind {
  const { pathname, searchParams } = new URL(url, "http://proxy");
  if (/^\/v2\/.+\/blobs\/uploads\/?/.test(pathname)) {
    return method === "POST" && searchParams.has("mount") ? "blob-mount" : "blob-upload";
  }
  if (/^\/v2\/.+\/blobs\/[^/]+$/.test(pathname)) return "blob";
  if (/^\/v2\/.+\/manifests\/[^/]+$/.test(pathname)) return "manifest";
  return "other";
}

function emptyStats(): ProxyStats {
  const zero = () => Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<RequestKind, number>;
  return {
    requests: {},
    requestBytes: zero(),
    responseBytes: zero(),
    faults: { drop: 0, "500": 0, "429": 0 },
  };
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target` ("host:port", plain HTTP). */
export async function startProxy(
  target: string,
  options: { faults?: FaultOptions } = {},
): Promise<TestProxy> {
  const [targetHost, targetPort] = splitHostPort(target);
  let stats = emptyStats();
  let faults: FaultOptions | undefined;
  let random = () => 1;
  let injected = 0;
  const consecutive = new Map<string, number>();
  const setFaults = (next: FaultOptions | undefined) => {
    faults = next;
    random = next ? seededRandom(next.seed) : () => 1;
    injected = 0;
    consecutive.clear();
  };
  setFaults(options.faults);

  function chooseFault(method: string, url: string, kind: RequestKind): FaultKind | undefined {
    if (!faults) return undefined;
    const path = new URL(url, "http://proxy").pathname;
    const key = `${method} ${path}`;
    if (faults.match && !faults.match({ method, path, kind })) return undefined;
    const roll = random();
    const pick = random();
    const inARow = consecutive.get(key) ?? 0;
    const allowed = inARow < (faults.maxConsecutive ?? 2) && injected < (faults.maxFaults ?? Infinity);
    if (!allowed || roll >= faults.rate) {
      consecutive.delete(key);
      return undefined;
    }
    consecutive.set(key, inARow + 1);
    injected++;
    const kinds = faults.kinds ?? ["drop", "500", "429"];
    return kinds[Math.min(kinds.length - 1, Math.floor(pick * kinds.length))];
  }

  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const kind = requestKind(method, url);
    stats.requests[`${method} ${kind}`] = (stats.requests[`${method} ${kind}`] ?? 0) + 1;
    req.on("data", (chunk: Buffer) => {
      stats.requestBytes[kind] += chunk.length;
    });
    const fault = chooseFault(method, url, kind);
    if (fault) {
      stats.faults[fault]++;
      injectFault(fault, req, res);
      return;
    }
    const upstream = http.request(
      { host: targetHost, port: targetPort, method, path: url, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        const location = headers.location;
        // Clients must keep talking to the proxy, also when the registry answers with an absolute URL.
        if (location?.startsWith(`http://${target}`))
          headers.location = `http://${proxyAddress}${location.slice(target.length + 7)}`;
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.on("data", (chunk: Buffer) => {
          stats.responseBytes[kind] += chunk.length;
        });
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstream);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const proxyAddress = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxyAddress,
    stats: () => structuredClone(stats),
    reset: () => {
      stats = emptyStats();
    },
    setFaults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Drop after the first body bytes (or at once without a body); answer errors after reading the body. */
function injectFault(fault: FaultKind, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (fault === "drop") {
    const hasBody =
      Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    if (!hasBody) {
      req.socket.destroy();
      return;
    }
    req.once("data", () => req.socket.destroy());
    req.once("end", () => req.socket.destroy());
    return;
  }
  const [status, code, extra] =
    fault === "500" ? [500, "UNKNOWN", {}] : [429, "TOOMANYREQUESTS", { "retry-after": "0" }];
  req.resume();
  req.once("end", () => {
    const body = JSON.stringify({ errors: [{ code, message: "fault injected by the test proxy" }] });
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...extra,
    });
    res.end(body);
  });
}

function splitHostPort(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port))
    throw new Error(`startProxy: target must be host:port, got ${address}`);
  return [address.slice(0, at).replace(/^\[|\]$/g, ""), port];
}
