/**
 * One page's server-sent event stream: the snapshot first, then every event, with a comment as a
 * heartbeat so idle proxies and the browser notice a dead connection. See the HTML standard,
 * "Server-sent events" (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 */
import type { ServerResponse } from "node:http";
import type { DevEvent, DevSession, DevStreamEvents } from "../events.js";

/** Bytes a page may fall behind before it is cut off; it reconnects and starts from a new snapshot. */
const maxBacklog = 1024 * 1024;

/** An open stream; `close` ends it from the server's side. */
export interface EventStream {
  close(): void;
}

/** Starts streaming `session` to `res`; the stream ends itself when the page goes away. */
export function openEventStream(
  session: DevSession,
  res: ServerResponse,
  options: { heartbeatMs: number; onClose: () => void },
): EventStream {
  res.writeHead(200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    "X-Content-Type-Options": "nosniff",
  });

  let closed = false;
  const write = (chunk: string) => {
    if (closed) return;
    // A page that stops reading must not make the dev loop buffer without bound.
    if (res.writableLength > maxBacklog) {
      close();
      res.destroy();
      return;
    }
    res.write(chunk);
  };

  // A short retry: the server restarts with `dray dev`, and the page should follow quickly.
  write("retry: 1000\n\n");
  // Snapshot and subscribe in the same turn: events arrive synchronously, so none can fall between.
  write(frame("snapshot", session.snapshot()));
  const unsubscribe = session.subscribe((event) => write(eventFrame(event)));
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), options.heartbeatMs);
  heartbeat.unref();

  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    options.onClose();
  }

  res.on("close", close);
  return {
    close() {
      close();
      res.end();
    },
  };
}

function eventFrame(event: DevEvent): string {
  switch (event.type) {
    case "service":
      return frame("service", event.state);
    case "update":
      return frame("update", event.update);
    case "log":
      return frame("log", event.log);
  }
}

/** JSON never contains a raw line break, so one `data:` line always carries the whole payload. */
function frame<K extends keyof DevStreamEvents>(event: K, data: DevStreamEvents[K]): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
