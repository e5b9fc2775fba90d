/**
 * The dashboard's HTTP server: the page and its files, the event stream, and the rebuild
 * action. Loopback only, with every request's `Host` checked (see guard.ts for why).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage, UserError } from "../../errors/index.js";
import type { DevSession } from "../events.js";
import { type EventStream, openEventStream } from "./event-stream.js";
import { actionRefusal, isAllowedHost } from "./guard.js";
import { readPageFiles } from "./page-files.js";

/** Where and how the dashboard listens. The host is always 127.0.0.1. */
export interface DashboardOptions {
  /** 0 or undefined: any free port. */
  readonly port?: number;
  /** How often an idle event stream sends a comment. Default 15 000 ms. */
  readonly heartbeatMs?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** Ends every event stream and stops listening. */
  close(): Promise<void>;
}

const host = "127.0.0.1";

// The page loads only its own script and style and talks only to its own origin; with no inline
// code allowed, text from a log line can never become markup that runs.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Serves the dashboard for `session` on 127.0.0.1. */
export async function startDashboard(
  session: DevSession,
  options: DashboardOptions = {},
): Promise<Dashboard> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const files = await readPageFiles();
  const streams = new Set<EventStream>();
  let port = options.port ?? 0;

  const server = createServer((req, res) => {
    let reply: Reply | "streaming";
    try {
      reply = route(req, res);
    } catch (error) {
      // The session's rebuild handler belongs to the dev loop; its failure is reported to the
      // page that asked rather than taking the server down.
      reply = { status: 500, body: `rebuild failed: ${errorMessage(error)}\n` };
    }
    if (reply !== "streaming") send(res, reply);
  });

  /** What to answer, or "streaming" once `res` belongs to an event stream. */
  function route(req: IncomingMessage, res: ServerResponse): Reply | "streaming" {
    if (!isAllowedHost(req.headers.host, port)) return { status: 403, body: "forbidden host\n" };
    const path = new URL(req.url ?? "/", `http://${host}`).pathname;

    const asset = files.get(path);
    if (asset) {
      if (req.method !== "GET" && req.method !== "HEAD") return notAllowed("GET, HEAD");
      // Node leaves the body out of a HEAD answer itself, keeping the real Content-Length.
      return {
        status: 200,
        body: asset.body,
        headers: { "Content-Type": asset.type, "Content-Security-Policy": contentSecurityPolicy },
      };
    }
    if (path === "/events") {
      if (req.method !== "GET") return notAllowed("GET");
      const stream = openEventStream(session, res, { heartbeatMs, onClose: () => streams.delete(stream) });
      streams.add(stream);
      return "streaming";
    }
    const rebuild = /^\/api\/rebuild\/([^/]+)$/.exec(path);
    if (rebuild) {
      if (req.method !== "POST") return notAllowed("POST");
      req.resume();
      return requestRebuild(req, rebuild[1]!);
    }
    return { status: 404, body: "not found\n" };
  }

  function requestRebuild(req: IncomingMessage, encoded: string): Reply {
    const refusal = actionRefusal(req.headers, port);
    if (refusal) return { status: 403, body: `${refusal}\n` };
    let service: string;
    try {
      service = decodeURIComponent(encoded);
    } catch {
      return { status: 400, body: "bad service name\n" };
    }
    if (!session.snapshot().services.some((s) => s.service === service)) {
      return { status: 404, body: `unknown service ${service}\n` };
    }
    session.requestRebuild(service);
    return { status: 202, body: `rebuild of ${service} requested\n` };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new UserError(`the dashboard cannot listen on ${host}:${port}: ${error.code ?? error.message}`, {
          hint: error.code === "EADDRINUSE" ? "choose another port, or 0 for any free one" : undefined,
          cause: error,
        }),
      );
    });
    server.listen(port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/`,
    close() {
      // Idempotent: the dev loop's shutdown and a test's cleanup may both close it.
      closing ??= new Promise<void>((resolve, reject) => {
        for (const stream of [...streams]) stream.close();
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** A complete answer, written in one place so every one carries the same safety headers. */
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

function notAllowed(allow: string): Reply {
  return { status: 405, body: "", headers: { Allow: allow } };
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    ...reply.headers,
    "Content-Length": String(Buffer.byteLength(reply.body)),
  });
  res.end(reply.body);
}
