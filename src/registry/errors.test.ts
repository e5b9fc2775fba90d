import { describe, expect, it } from "vitest";
import { RemoteError, UserError } from "../errors/errors.js";
import { parseTokenResponse } from "./auth/token-endpoint.js";
import { parseDistributionErrors, responseFailure, transportFailure } from "./errors.js";
import { BodyTooLargeError, type HttpResponse, TransportTimeoutError } from "./http.js";

const R = "reg.example:5000";
const coded = (code: string) => Object.assign(new Error(`failed ${code}`), { code });

describe("transportFailure", () => {
  const cases = [
    {
      code: "ENOTFOUND",
      kind: UserError,
      message: `cannot resolve registry host ${R} — check the name in dray.yaml`,
    },
    {
      code: "ECONNREFUSED",
      kind: UserError,
      message: `nothing listens at ${R} — is the registry running? check the address in dray.yaml`,
    },
    {
      code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
      kind: UserError,
      message: `TLS certificate of ${R} is not trusted (unknown issuer) — add its CA with \`ca:\` in dray.yaml, or mark it \`insecure: true\` for a test registry`,
    },
    {
      code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      kind: UserError,
      message: /not trusted \(self-signed certificate\)/,
    },
    {
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
      kind: UserError,
      message: /not trusted \(the certificate is for another host name\)/,
    },
    { code: "CERT_HAS_EXPIRED", kind: UserError, message: /not trusted \(the certificate has expired\)/ },
    { code: "ERR_SSL_WRONG_VERSION_NUMBER", kind: UserError, message: /TLS handshake with .* failed/ },
    { code: "ECONNRESET", kind: RemoteError, message: `connection to registry ${R} failed (ECONNRESET)` },
  ];
  it.each(cases)("$code", ({ code, kind, message }) => {
    const error = transportFailure(coded(code), R);
    expect(error).toBeInstanceOf(kind);
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it("marks timeouts retryable and names oversized bodies", () => {
    const timeout = transportFailure(new TransportTimeoutError("idle", 60_000), R) as RemoteError;
    expect(timeout.retryable).toBe(true);
    expect(timeout.message).toBe(`registry ${R} did not answer: no data moved for more than 60 s`);
    expect(transportFailure(new BodyTooLargeError(10), R).message).toMatch(/larger than 10 bytes/);
  });
});

describe("responseFailure", () => {
  const response = (status: number, body: unknown): HttpResponse => ({
    status,
    headers: {},
    body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)),
    url: new URL("https://reg.example/v2/"),
  });
  const action = { registry: R, description: "check blob x in a/b" };
  const none = (t: string) => t;

  it("quotes the registry's error codes and messages", () => {
    const body = { errors: [{ code: "BLOB_UNKNOWN", message: "blob unknown to registry" }, { code: "X" }] };
    expect(parseDistributionErrors(Buffer.from(JSON.stringify(body)))).toHaveLength(2);
    const error = responseFailure(response(400, body), action, none);
    expect(error.message).toBe(
      `registry ${R} refused to check blob x in a/b (HTTP 400): BLOB_UNKNOWN: blob unknown to registry; X`,
    );
  });

  it("maps 403 to a UserError, 429 and 5xx to retryable RemoteErrors", () => {
    expect(responseFailure(response(403, ""), action, none)).toBeInstanceOf(UserError);
    for (const status of [429, 500, 503]) {
      const error = responseFailure(response(status, "<html>busy</html>"), action, none) as RemoteError;
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.retryable).toBe(true);
      expect(error.status).toBe(status);
    }
  });
});

describe("token responses", () => {
  it("reads token or access_token, and defaults the lifetime to 60 s", () => {
    expect(parseTokenResponse(Buffer.from('{"access_token":"a"}'), "e", R)).toEqual({
      token: "a",
      lifetimeMs: 60_000,
    });
    expect(parseTokenResponse(Buffer.from('{"token":"t","expires_in":300}'), "e", R)).toEqual({
      token: "t",
      lifetimeMs: 300_000,
    });
    expect(() => parseTokenResponse(Buffer.from("{}"), "e", R)).toThrow(/sent no token/);
  });
});
