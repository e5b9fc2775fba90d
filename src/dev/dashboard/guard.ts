/**
 * Who may talk to the dashboard. It listens on loopback only, but a page on any site can still
 * make the browser send requests there: a DNS-rebinding page arrives with its own host name in
 * `Host`, and a plain cross-site form or fetch cannot add a custom header without a CORS
 * preflight, which this server never grants.
 */
import type { IncomingHttpHeaders } from "node:http";

/** The header the dashboard's own script sends with every request that changes something. */
export const actionHeader = "x-dray";

/** True when `host` names this server by its loopback address or `localhost`, with its port. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const name = host.toLowerCase();
  return name === `127.0.0.1:${port}` || name === `localhost:${port}`;
}

/**
 * Why a state-changing request must be refused, or undefined when it may go ahead: it needs the
 * custom header, and an `Origin`, when the browser sends one, must be this server.
 */
export function actionRefusal(headers: IncomingHttpHeaders, port: number): string | undefined {
  if (headers[actionHeader] !== "1") return `missing header ${actionHeader}: 1`;
  const origin = headers.origin;
  if (origin !== undefined) {
    const allowed = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    if (!allowed.includes(origin.toLowerCase())) return `cross-origin request from ${origin}`;
  }
  return undefined;
}
