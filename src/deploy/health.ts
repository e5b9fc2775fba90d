/** Waiting for a new version to be healthy: bounded polling, cancellable, with the last reason kept. */
import http from "node:http";

/** What one probe found: healthy, or why not. */
export type ProbeResult = { ok: true } | { ok: false; reason: string; final?: boolean };

/**
 * Calls `probe` every `intervalMs` until it is healthy, says it will never be (`final`: the
 * container exited), or `timeoutMs` passed. Returns the last result.
 */
export async function waitUntilHealthy(
  probe: () => Promise<ProbeResult>,
  options: { intervalMs: number; timeoutMs: number },
): Promise<ProbeResult> {
  const deadline = Date.now() + options.timeoutMs;
  // The first probes come quickly: a Go service is usually up within a few milliseconds.
  let wait = Math.min(25, options.intervalMs);
  for (;;) {
    const result = await probe();
    if (result.ok || result.final) return result;
    if (Date.now() + wait > deadline)
      return { ok: false, reason: `not healthy after ${options.timeoutMs} ms: ${result.reason}` };
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, options.intervalMs);
  }
}

/** GET `url`; 2xx and 3xx are healthy. Each request is bounded so that a hung service cannot stall the wait. */
export function httpProbe(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(
        status >= 200 && status < 400 ? { ok: true } : { ok: false, reason: `GET ${url} answered ${status}` },
      );
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error) => resolve({ ok: false, reason: `GET ${url}: ${error.message}` }));
  });
}
