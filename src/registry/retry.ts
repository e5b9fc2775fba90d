/**
 * Retries for requests that may succeed when sent again: rate limits, gateway errors and connections
 * that broke mid-transfer. Only idempotent requests are retried here; uploads recover in upload.ts.
 */
import type { HttpRequest, HttpResponse, HttpTransport } from "./http.js";
import { headerValue } from "./http.js";

/** What a retry is told, for progress output. The URL carries no query string, so no upload state or scope. */
export interface RetryInfo {
  method: string;
  url: string;
  attempt: number;
  reason: string;
  delayMs: number;
}

/** Tuning for the retry decorator; everything has a default. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  maxAttempts?: number;
  /** First backoff ceiling. Default 200 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 5 s. */
  maxDelayMs?: number;
  /** Largest wait a `Retry-After` header may ask for. Default 30 s. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); injected for tests. */
  random?: () => number;
  /** Epoch milliseconds, for `Retry-After` dates. */
  now?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

/** Statuses that say "try again later": https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes leaves 429 and 5xx to HTTP. */
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Connection failures where the request may not have reached the server, or broke in flight. */
const RETRY_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/** True for a status worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

/**
 * Why a failed connection is worth another try, or undefined when it is not. ECONNREFUSED counts only when the
 * registry answered before (it restarted mid-transfer); on a first contact it means nothing listens, and
 * retrying would only delay the clear error.
 */
export function retryableErrorReason(error: unknown, reachedBefore: boolean): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  if (typeof code === "string" && RETRY_CODES.has(code)) {
    // A connect timeout is not retried: the host does not answer and each try would wait the full timeout.
    if (code === "ETIMEDOUT" && (error as { phase?: string }).phase === "connect") return undefined;
    return code;
  }
  if (code === "ECONNREFUSED" && reachedBefore) return code;
  if (message === "socket hang up") return "socket hang up";
  return undefined;
}

/** Milliseconds a `Retry-After` value asks for (delay-seconds or an HTTP date), or undefined when unreadable. https://www.rfc-editor.org/rfc/rfc9110#field.retry-after */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names the weekday and month; anything else (like "-1") is not one, though Date.parse may accept it.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** "Full jitter" backoff: a uniform wait in [0, min(cap, base·2^(attempt-1))). attempt counts from 1. */
export function backoffDelayMs(attempt: number, random: () => number, baseMs = 200, capMs = 5000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Whether a request may be sent twice. */
export function isIdempotent(request: HttpRequest): boolean {
  return request.idempotent ?? ["GET", "HEAD", "PUT", "DELETE"].includes(request.method);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a transport so idempotent requests are retried on 429/5xx and broken connections. When attempts run
 * out, the last response is returned (the caller maps it to a retryable RemoteError) or the last error thrown.
 */
export function createRetryingTransport(inner: HttpTransport, options: RetryOptions = {}): HttpTransport {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let reached = false;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const retryable = isIdempotent(req);
    for (let attempt = 1; ; attempt++) {
      let reason: string | undefined;
      let delayMs = backoffDelayMs(attempt, random, options.baseDelayMs, options.maxDelayMs);
      try {
        const response = await inner.request(req);
        reached = true;
        if (!retryable || attempt >= maxAttempts || !isRetryableStatus(response.status)) return response;
        reason = `HTTP ${response.status}`;
        const asked = parseRetryAfter(headerValue(response.headers, "retry-after"), now());
        if (asked !== undefined) delayMs = Math.min(asked, options.maxRetryAfterMs ?? 30_000);
      } catch (error) {
        reason = retryableErrorReason(error, reached);
        if (!retryable || attempt >= maxAttempts || reason === undefined) throw error;
      }
      options.onRetry?.({
        method: req.method,
        url: `${req.url.origin}${req.url.pathname}`,
        attempt,
        reason,
        delayMs,
      });
      await sleep(delayMs);
    }
  }

  return { request, close: () => inner.close() };
}
