/**
 * Following a container's output as it is written. The engine frames stdout and stderr (8-byte
 * headers) when the container has no TTY; frames may split across chunks, and lines across frames.
 */
import type { EngineClient } from "../engine/index.js";

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
    let pending = Buffer.alloc(0);
    const partial: Record<"stdout" | "stderr", string> = { stdout: "", stderr: "" };
    for await (const chunk of body) {
      pending = Buffer.concat([pending, chunk as Buffer]);
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const stream = pending[0] === 2 ? "stderr" : "stdout";
        const text = partial[stream] + pending.subarray(8, 8 + size).toString("utf8");
        pending = pending.subarray(8 + size);
        const lines = text.split("\n");
        partial[stream] = lines.pop() ?? "";
        for (const line of lines) onLine(line.replace(/\r$/, ""), stream);
      }
    }
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
