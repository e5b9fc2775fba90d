/**
 * A small Docker Engine API client over its socket (Podman's compatible socket works too): JSON in,
 * JSON out, streams where the API streams. Only the calls dray needs; the API version is pinned so
 * that answers have the shape this code expects on every engine that speaks it.
 */
import http from "node:http";
import type { Readable } from "node:stream";
import { ExitCode, RemoteError, UserError } from "../errors/index.js";
import type { EngineAddress } from "./address.js";

/** Docker 20.10 speaks 1.41; later engines and Podman accept it. */
export const API_VERSION = "v1.41";

/** One request. `body` is JSON unless it is a stream or a Buffer (an archive), sent as it is. */
export interface EngineRequest {
  method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content type of a stream or Buffer body (default application/x-tar). */
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A finished request: status and the whole body. */
export interface EngineResponse {
  status: number;
  body: Buffer;
  /** Absent in test fakes that do not need them. */
  headers?: http.IncomingHttpHeaders;
}

export interface EngineClient {
  readonly address: EngineAddress;
  /** Sends the request and reads the whole answer; never throws for an HTTP status. */
  raw(request: EngineRequest): Promise<EngineResponse>;
  /** The answer as a stream (logs, pull progress); the caller reads it to the end. */
  stream(request: EngineRequest): Promise<{ status: number; body: Readable }>;
  /** JSON answer of a 2xx; anything else becomes a RemoteError with the engine's message. */
  json<T>(request: EngineRequest): Promise<T>;
  close(): void;
}

/** The engine's own words for an error: `{"message": "..."}`, else the body as text. */
export function engineMessage(body: Buffer): string {
  const text = body.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON: the text is the message
  }
  return text.slice(0, 500);
}

function queryString(query: EngineRequest["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A client for the engine at `address`, keeping connections open for the run. */
export function createEngineClient(address: EngineAddress): EngineClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  const unreachable = (error: NodeJS.ErrnoException) =>
    new UserError(`cannot reach the container engine at ${address.text}: ${error.code ?? error.message}`, {
      exitCode: ExitCode.environment,
      hint:
        address.kind === "unix"
          ? "Start the engine (e.g. `scripts/start-engine.sh`, or `systemctl start docker`), or point DOCKER_HOST or the target's `host` at a running one."
          : "Check that the engine listens there, or point DOCKER_HOST or the target's `host` at a running one.",
      cause: error,
    });

  const send = (request: EngineRequest) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const stream = isStream(request.body);
      const bytes = Buffer.isBuffer(request.body);
      const payload =
        request.body === undefined || stream
          ? undefined
          : bytes
            ? (request.body as Buffer)
            : Buffer.from(JSON.stringify(request.body));
      const req = http.request(
        {
          agent,
          method: request.method,
          path: `/${API_VERSION}${request.path}${queryString(request.query)}`,
          ...(address.kind === "unix"
            ? { socketPath: address.socketPath }
            : { host: address.host, port: address.port }),
          headers: {
            host: "docker",
            ...(payload
              ? {
                  "content-type": bytes ? (request.contentType ?? "application/x-tar") : "application/json",
                  "content-length": payload.length,
                }
              : {}),
            ...(stream ? { "content-type": request.contentType ?? "application/x-tar" } : {}),
            ...request.headers,
          },
          ...(request.signal ? { signal: request.signal } : {}),
        },
        resolve,
      );
      req.on("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "ENOENT" || error.code === "ECONNREFUSED" || error.code === "EACCES"
            ? unreachable(error)
            : error,
        ),
      );
      if (stream) {
        (request.body as Readable).on("error", (error) => req.destroy(error));
        (request.body as Readable).pipe(req);
      } else req.end(payload);
    });

  const raw = async (request: EngineRequest): Promise<EngineResponse> => {
    const res = await send(request);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers };
  };

  return {
    address,
    raw,
    async stream(request) {
      const res = await send(request);
      return { status: res.statusCode ?? 0, body: res };
    },
    async json<T>(request: EngineRequest): Promise<T> {
      const res = await raw(request);
      if (res.status < 200 || res.status >= 300) throw engineError(request, res);
      return (res.body.length === 0 ? undefined : JSON.parse(res.body.toString("utf8"))) as T;
    },
    close() {
      agent.destroy();
    },
  };
}

/** A RemoteError with the engine's message and the call that failed. */
export function engineError(request: EngineRequest, res: EngineResponse): RemoteError {
  return new RemoteError(`container engine: ${request.method} ${request.path}: ${engineMessage(res.body)}`, {
    status: res.status,
    retryable: res.status >= 500 && res.status !== 500,
  });
}

function isStream(body: unknown): body is Readable {
  return typeof body === "object" && body !== null && typeof (body as Readable).pipe === "function";
}
