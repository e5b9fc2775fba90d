/**
 * A fake HttpTransport for unit tests: answers from a handler function and records every request.
 * Not a registry; just enough to drive one exchange at a time.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { HttpRequest, HttpResponse, HttpTransport } from "../../src/registry/http.js";

/** What a handler returns: a status with optional headers and body, or a thrown error (a broken connection). */
export interface FakeReply {
  status: number;
  headers?: IncomingHttpHeaders;
  body?: Buffer | string | object;
}

/** A transport whose requests are recorded in `requests`. */
export interface FakeTransport extends HttpTransport {
  requests: HttpRequest[];
}

/** A fake transport answering with `handler`; an object body is sent as JSON. */
export function createFakeTransport(
  handler: (request: HttpRequest, index: number) => FakeReply,
): FakeTransport {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(request) {
      requests.push(request);
      const reply = handler(request, requests.length - 1);
      const body =
        reply.body === undefined
          ? Buffer.alloc(0)
          : Buffer.isBuffer(reply.body)
            ? reply.body
            : Buffer.from(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
      const response: HttpResponse = {
        status: reply.status,
        headers: reply.headers ?? {},
        body,
        url: request.url,
      };
      return response;
    },
    close() {},
  };
}

/** An error shaped like Node's for a reset connection. */
export function connectionReset(): Error {
  return Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
}
