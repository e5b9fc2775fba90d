import { describe, expect, it } from "vitest";
import { connectionReset, createFakeTransport } from "../../test/support/fake-transport.js";
import type { HttpMethod, HttpRequest } from "./http.js";
import { TransportTimeoutError } from "./http.js";
import {
  backoffDelayMs,
  createRetryingTransport,
  isRetryableStatus,
  parseRetryAfter,
  type RetryInfo,
  retryableErrorReason,
} from "./retry.js";

const NOW = Date.parse("2024-05-01T12:00:00Z");
const req = (method: HttpMethod, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method,
  url: new URL("https://reg.example/v2/a/blobs/uploads/x?_state=secret-state"),
  ...extra,
});

describe("retry decisions", () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [404, false],
    [501, false],
  ])("status %i retryable: %s", (status, retry) => {
    expect(isRetryableStatus(status)).toBe(retry);
  });

  const errors = [
    { why: "reset", error: connectionReset(), reached: false, reason: "ECONNRESET" },
    {
      why: "broken pipe",
      error: Object.assign(new Error("write EPIPE"), { code: "EPIPE" }),
      reached: false,
      reason: "EPIPE",
    },
    { why: "socket hang up", error: new Error("socket hang up"), reached: false, reason: "socket hang up" },
    {
      why: "idle timeout",
      error: new TransportTimeoutError("idle", 1000),
      reached: false,
      reason: "ETIMEDOUT",
    },
    {
      why: "connect timeout",
      error: new TransportTimeoutError("connect", 1000),
      reached: false,
      reason: undefined,
    },
    {
      why: "refused on first contact",
      error: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
      reached: false,
      reason: undefined,
    },
    {
      why: "refused mid-transfer",
      error: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
      reached: true,
      reason: "ECONNREFUSED",
    },
    {
      why: "unknown host",
      error: Object.assign(new Error("x"), { code: "ENOTFOUND" }),
      reached: true,
      reason: undefined,
    },
    {
      why: "bad certificate",
      error: Object.assign(new Error("x"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      reached: true,
      reason: undefined,
    },
  ];
  it.each(errors)("$why → $reason", ({ error, reached, reason }) => {
    expect(retryableErrorReason(error, reached)).toBe(reason);
  });
});

describe("Retry-After and backoff", () => {
  it.each([
    { value: "3", ms: 3000 },
    { value: " 0 ", ms: 0 },
    { value: "Wed, 01 May 2024 12:00:07 GMT", ms: 7000 },
    { value: "Wed, 01 May 2024 11:00:00 GMT", ms: 0 },
    { value: "soon", ms: undefined },
    { value: "-1", ms: undefined },
    { value: undefined, ms: undefined },
  ])("Retry-After $value → $ms ms", ({ value, ms }) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it("draws full jitter under a doubling ceiling capped at 5 s", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelayMs(a, top))).toEqual([
      199, 399, 799, 1599, 3199, 4999, 4999,
    ]);
    expect(backoffDelayMs(4, () => 0)).toBe(0);
    expect(backoffDelayMs(2, () => 0.5)).toBe(200);
  });
});

describe("retrying transport", () => {
  function run(
    statuses: (number | Error)[],
    options: { maxAttempts?: number; headers?: Record<string, string> } = {},
  ) {
    const waits: number[] = [];
    const infos: RetryInfo[] = [];
    const inner = createFakeTransport((_r, i) => {
      const next = statuses[Math.min(i, statuses.length - 1)]!;
      if (next instanceof Error) throw next;
      return { status: next, headers: options.headers ?? {} };
    });
    const transport = createRetryingTransport(inner, {
      maxAttempts: options.maxAttempts,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
      now: () => NOW,
      onRetry: (info) => infos.push(info),
    });
    return { transport, inner, waits, infos };
  }

  it("retries 503 then succeeds, reporting each retry without the query string", async () => {
    const { transport, inner, waits, infos } = run([503, 502, 200]);
    expect((await transport.request(req("GET"))).status).toBe(200);
    expect(inner.requests).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
    expect(infos[0]).toEqual({
      method: "GET",
      url: "https://reg.example/v2/a/blobs/uploads/x",
      attempt: 1,
      reason: "HTTP 503",
      delayMs: 100,
    });
  });

  it("honours Retry-After, capped at 30 s", async () => {
    const { transport, waits } = run([429, 200], { headers: { "retry-after": "120" } });
    await transport.request(req("HEAD"));
    expect(waits).toEqual([30_000]);
  });

  it("gives up after maxAttempts and returns the last response", async () => {
    const { transport, inner } = run([500], { maxAttempts: 3 });
    expect((await transport.request(req("PUT"))).status).toBe(500);
    expect(inner.requests).toHaveLength(3);
  });

  it("retries a reset connection, and rethrows once attempts run out", async () => {
    const ok = run([connectionReset(), 200]);
    expect((await ok.transport.request(req("GET"))).status).toBe(200);
    const failing = run([connectionReset()], { maxAttempts: 2 });
    await expect(failing.transport.request(req("GET"))).rejects.toThrow("ECONNRESET");
    expect(failing.inner.requests).toHaveLength(2);
  });

  it("never retries POST or PATCH, nor a request marked not idempotent", async () => {
    for (const r of [req("POST"), req("PATCH"), req("PUT", { idempotent: false })]) {
      const { transport, inner } = run([503, 200]);
      expect((await transport.request(r)).status).toBe(503);
      expect(inner.requests).toHaveLength(1);
    }
  });

  it("retries ECONNREFUSED only after the registry answered once", async () => {
    const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const first = run([refused(), 200]);
    await expect(first.transport.request(req("GET"))).rejects.toThrow("ECONNREFUSED");
    const later = run([200, refused(), 200]);
    await later.transport.request(req("GET"));
    expect((await later.transport.request(req("GET"))).status).toBe(200);
    expect(later.inner.requests).toHaveLength(3);
  });
});
