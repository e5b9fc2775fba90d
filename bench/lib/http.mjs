// The benchmarks' one HTTP helper: a GET that never throws, over TCP or the engine's unix socket.
import { request } from "node:http";

/** The Docker engine's API socket. */
export const ENGINE_SOCKET = "/var/run/docker.sock";

/** One GET; resolves to { status, body }, status 0 when nothing answered within `timeoutMs`. */
export function httpGet({ host, port, socketPath, path, timeoutMs = 2000 }) {
  return new Promise((resolve) => {
    const req = request(
      { host, port, socketPath, path, method: "GET", timeout: timeoutMs, agent: false },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", () => resolve({ status: 0, body: "" }));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.end();
  });
}
