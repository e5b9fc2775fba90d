/**
 * One log stream from a Docker Engine API logs endpoint (a container's, or a swarm service's):
 * asked from `request.since`, followed while `request.follow`, ended by `request.signal`. A
 * container or service removed meanwhile has no more log to give: that ends the stream quietly.
 */
import { type EngineClient, engineError, logLines } from "../engine/index.js";
import { type LogRecord, type LogRequest, untilAborted } from "./log-source.js";

export async function readEngineLog(
  engine: EngineClient,
  path: string,
  request: LogRequest,
  extraQuery: Record<string, boolean>,
  onLine: (line: Omit<LogRecord, "source">) => void | Promise<void>,
): Promise<void> {
  const query = {
    stdout: true,
    stderr: true,
    ...extraQuery,
    follow: request.follow,
    ...(request.since === undefined ? {} : { since: request.since.toFixed(3) }),
  };
  const call = { method: "GET" as const, path, query };
  const { status, body } = await engine.stream(call);
  const stop = () => body.destroy();
  request.signal.addEventListener("abort", stop, { once: true });
  if (request.signal.aborted) stop();
  try {
    if (status !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      if (status === 404) return;
      throw engineError(call, { status, body: Buffer.concat(chunks) });
    }
    await untilAborted(request.signal, async () => {
      for await (const line of logLines(body)) await onLine(line);
    });
  } finally {
    request.signal.removeEventListener("abort", stop);
  }
}
