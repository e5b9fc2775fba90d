/**
 * A small HTTP(S) client on node:http/node:https for one registry: keep-alive agents, an extra CA
 * on top of Node's roots, connect and idle timeouts, and response bodies read into a Buffer with a cap.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import tls from "node:tls";
import { splitHostPort } from "../oci/index.js";

/** The methods the Distribution API uses. */
export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

/** One request; the body is sent whole (blobs are chunked by the caller). */
export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Most bytes of a successful response body to accept; more fails the request. Default: no cap. */
  maxBodyBytes?: number;
  /** Whether sending it twice is harmless; default: true for GET, HEAD, PUT and DELETE. Read by the retry decorator. */
  idempotent?: boolean;
}

/** A response with its body read. Header names are lowercase. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, to resolve relative `Location` headers against. */
  url: URL;
}

/** Sends requests; implemented by the transport below and by decorators (retry). */
export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Drop pooled connections. */
  close(): void;
}

/** How to reach one registry. */
export interface TransportOptions {
  /** Extra PEM CA certificates, trusted in addition to Node's bundled roots. */
  ca?: string | Buffer;
  /** Skip certificate verification (a registry marked `insecure`). */
  insecure?: boolean;
  /** Time allowed to open the connection (and finish the TLS handshake). Default 15 s. */
  connectTimeoutMs?: number;
  /** Time allowed without any byte moving once connected. Default 60 s. */
  idleTimeoutMs?: number;
}

/** A connect or idle timeout; `code` is ETIMEDOUT so the retry decorator and error mapping see it like Node's own. */
export class TransportTimeoutError extends Error {
  override name = "TransportTimeoutError";
  readonly code = "ETIMEDOUT";
  constructor(
    readonly phase: "connect" | "idle",
    readonly timeoutMs: number,
  ) {
    super(`${phase === "connect" ? "connecting took" : "no data moved for"} more than ${timeoutMs / 1000} s`);
  }
}

/** The response body grew past `maxBodyBytes`. */
export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
  readonly code = "DRAY_BODY_TOO_LARGE";
  constructor(readonly limit: number) {
    super(`response body is larger than ${limit} bytes`);
  }
}

/** Error bodies are only read for their message; a megabyte of HTML is cut here instead of failing. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** A transport with one keep-alive agent per scheme. Use one per registry so TLS settings never leak to another. */
export function createHttpTransport(options: TransportOptions = {}): HttpTransport {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets: 16,
    // Node replaces its roots when `ca` is given; keep them so a private CA adds trust instead of swapping it.
    ...(options.ca ? { ca: [...tls.rootCertificates, options.ca.toString()] } : {}),
    rejectUnauthorized: !options.insecure,
  });
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  return {
    request: (request) =>
      send(request, {
        agent: request.url.protocol === "https:" ? httpsAgent : httpAgent,
        connectTimeoutMs,
        idleTimeoutMs,
      }),
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

interface SendOptions {
  agent: http.Agent;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

function send(request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
  const { url } = request;
  const isTls = url.protocol === "https:";
  const headers: Record<string, string> = { "User-Agent": "dray", ...request.headers };
  if (request.body !== undefined) headers["Content-Length"] = String(request.body.length);
  return new Promise((resolve, reject) => {
    const req = (isTls ? https : http).request(url, {
      method: request.method,
      headers,
      agent: options.agent,
    });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(error);
    };
    req.on("error", fail);
    req.on("socket", (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => fail(new TransportTimeoutError("connect", options.connectTimeoutMs)),
        options.connectTimeoutMs,
      );
      socket.once(isTls ? "secureConnect" : "connect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    });
    // setTimeout arms the socket's inactivity timer once connected, for the upload and the response alike.
    req.setTimeout(options.idleTimeoutMs, () =>
      fail(new TransportTimeoutError("idle", options.idleTimeoutMs)),
    );
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const isError = status >= 400;
      const limit = isError ? ERROR_BODY_LIMIT : (request.maxBodyBytes ?? Number.POSITIVE_INFINITY);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size + chunk.length > limit) {
          if (!isError) return fail(new BodyTooLargeError(limit));
          chunks.push(chunk.subarray(0, limit - size));
          size = limit;
          return finish();
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      res.on("error", fail);
      const finish = () => {
        if (settled) return;
        settled = true;
        if (!res.complete) res.destroy();
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks, size), url });
      };
      res.on("end", finish);
    });
    req.end(request.body);
  });
}

/** True for hosts that never leave the machine: 127.0.0.0/8, ::1 and localhost. Plain HTTP is allowed only there (or when insecure). */
export function isLoopbackHost(registry: string): boolean {
  // A bare IPv6 address ("::1") has colons that are not a port separator.
  const host = isIP(registry) === 6 ? registry : splitHostPort(registry).host.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1" || host === "0:0:0:0:0:0:0:1";
  return false;
}

/** The host the API lives at: `docker.io` is a name for the index, its API is at registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
}

/** Header value as one string: Node gives arrays for repeated headers. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(", ") : value;
}
