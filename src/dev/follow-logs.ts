/** Following a container's output as it is written, again after each restart, until stopped. */
import { type EngineClient, logLines } from "../engine/index.js";

export interface LogFollower {
  stop(): void;
}

/**
 * Calls `onLine` for each complete line the container writes from `sinceSeconds` on. When the
 * stream ends (the process restarted, the container was replaced) it follows again after a short
 * pause, until stopped.
 */
export function followLogs(
  engine: EngineClient,
  container: string,
  onLine: (line: string, stream: "stdout" | "stderr") => void,
  sinceSeconds = Date.now() / 1000,
): LogFollower {
  let stopped = false;
  let current: { destroy(): void } | undefined;
  let since = sinceSeconds;

  const once = async () => {
    const { status, body } = await engine.stream({
      method: "GET",
      path: `/containers/${container}/logs`,
      query: { follow: true, stdout: true, stderr: true, since: since.toFixed(3) },
    });
    current = body;
    if (status !== 200) {
      body.resume();
      return status === 404 ? "gone" : "retry";
    }
    for await (const line of logLines(body)) onLine(line.text, line.stream);
    since = Date.now() / 1000;
    return "ended";
  };

  const loop = async () => {
    while (!stopped) {
      const result = await once().catch(() => "retry");
      if (result === "gone" || stopped) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
