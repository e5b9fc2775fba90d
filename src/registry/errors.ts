/**
 * Turning what went wrong on the wire into one-line errors that name the registry and say what to do.
 * Messages are built from status codes, error codes and the registry's own words, never from request
 * headers, so credentials cannot reach them; remote text is scrubbed of known secrets anyway.
 */
import { RemoteError, UserError } from "../errors/index.js";
import { BodyTooLargeError, type HttpResponse, TransportTimeoutError } from "./http.js";

/** One entry of the Distribution error body: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes */
export interface DistributionError {
  code: string;
  message: string;
  detail?: unknown;
}

/** Removes secrets from text that came from elsewhere (a registry's error message could echo a header). */
export type Scrub = (text: string) => string;

/** A scrubber for the given secrets; empty strings are ignored. */
export function scrubber(secrets: () => Iterable<string>): Scrub {
  return (text) => {
    let out = text;
    for (const secret of secrets()) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
    return out;
  };
}

/** The `errors` of a Distribution error body, or [] when the body is something else (HTML from a proxy). */
export function parseDistributionErrors(body: Buffer): DistributionError[] {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
      .map((e) => ({
        code: String(e["code"] ?? "UNKNOWN"),
        message: String(e["message"] ?? ""),
        detail: e["detail"],
      }));
  } catch {
    return [];
  }
}

/** "CODE: message; CODE2: message2" from the body, else the first line of a short text body. At most 300 characters. */
export function remoteMessage(response: HttpResponse, scrub: Scrub): string {
  const errors = parseDistributionErrors(response.body);
  const text =
    errors.length > 0
      ? errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join("; ")
      : (response.body.toString("utf8").trim().split("\n")[0] ?? "");
  const clean = scrub(text).replace(/\s+/g, " ");
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

/** Certificate problems, by Node/OpenSSL code, with the reason shown to the user. */
const CERT_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown issuer",
  UNABLE_TO_GET_ISSUER_CERT: "unknown issuer",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown issuer",
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  ERR_TLS_CERT_ALTNAME_INVALID: "the certificate is for another host name",
  CERT_HAS_EXPIRED: "the certificate has expired",
  CERT_NOT_YET_VALID: "the certificate is not yet valid",
  CERT_UNTRUSTED: "the certificate is not trusted",
  CERT_REVOKED: "the certificate was revoked",
  CERT_SIGNATURE_FAILURE: "the certificate's signature is invalid",
  INVALID_CA: "an issuer in the chain is not a CA",
};

/** The readable reason for a certificate error code, or undefined when the code is not about certificates. */
export function certificateReason(code: unknown): string | undefined {
  return typeof code === "string" ? CERT_REASONS[code] : undefined;
}

/** A thrown connection-level error (DNS, refused, TLS, timeout, reset) as a UserError or a RemoteError. */
export function transportFailure(error: unknown, registry: string): UserError | RemoteError {
  if (error instanceof UserError || error instanceof RemoteError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const cause = error;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return new UserError(`cannot resolve registry host ${registry} — check the name in dray.yaml`, { cause });
  }
  if (code === "ECONNREFUSED") {
    return new UserError(
      `nothing listens at ${registry} — is the registry running? check the address in dray.yaml`,
      {
        cause,
      },
    );
  }
  const reason = certificateReason(code);
  if (reason !== undefined) {
    return new UserError(
      `TLS certificate of ${registry} is not trusted (${reason}) — add its CA with \`ca:\` in dray.yaml, or mark it \`insecure: true\` for a test registry`,
      { cause },
    );
  }
  if (error instanceof TransportTimeoutError) {
    return new RemoteError(`registry ${registry} did not answer: ${error.message}`, {
      retryable: true,
      cause,
    });
  }
  if (error instanceof BodyTooLargeError) {
    return new RemoteError(`registry ${registry} sent a response larger than ${error.limit} bytes`, {
      cause,
    });
  }
  if (typeof code === "string" && (code.startsWith("ERR_SSL_") || code === "EPROTO")) {
    return new UserError(
      `TLS handshake with ${registry} failed (${code}) — does it serve HTTPS on this port?`,
      {
        cause,
        hint: "mark a plain-HTTP registry `insecure: true` in dray.yaml",
      },
    );
  }
  const what = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
  return new RemoteError(`connection to registry ${registry} failed (${what})`, { retryable: true, cause });
}

/** What a request was for, in words: "upload blob sha256:ab… to shop/api". */
export interface Action {
  registry: string;
  description: string;
}

/** A non-success response as an error. 401 is handled by the authorizer before this is reached. */
export function responseFailure(
  response: HttpResponse,
  action: Action,
  scrub: Scrub,
): UserError | RemoteError {
  const { status } = response;
  const said = remoteMessage(response, scrub);
  const detail = said ? `: ${said}` : "";
  const codes = parseDistributionErrors(response.body).map((e) => e.code);
  const where = `registry ${action.registry}`;
  if (status === 403) {
    return new UserError(`${where} denied ${action.description} (HTTP 403)${detail}`, {
      hint: `check that the stored credentials for ${action.registry} may do this`,
    });
  }
  if (status === 429) {
    return new RemoteError(`${where} is rate-limiting requests (${action.description})${detail}`, {
      status,
      retryable: true,
      hint: "wait a while and run again",
    });
  }
  if (status >= 500) {
    return new RemoteError(`${where} failed to ${action.description} (HTTP ${status})${detail}`, {
      status,
      retryable: true,
    });
  }
  if (codes.includes("MANIFEST_BLOB_UNKNOWN")) {
    return new RemoteError(`${where} lacks a blob the manifest names (${action.description})${detail}`, {
      status,
    });
  }
  return new RemoteError(`${where} refused to ${action.description} (HTTP ${status})${detail}`, { status });
}

/** The manifest PUT failed because the registry does not take this media type (400/415 MANIFEST_INVALID, UNSUPPORTED). */
export function manifestRejected(
  response: HttpResponse,
  registry: string,
  mediaType: string,
  scrub: Scrub,
): RemoteError | undefined {
  const codes = parseDistributionErrors(response.body).map((e) => e.code);
  const typeProblem =
    response.status === 415 || codes.some((c) => c === "MANIFEST_INVALID" || c === "UNSUPPORTED");
  if (!typeProblem || (response.status !== 400 && response.status !== 415)) return undefined;
  const said = remoteMessage(response, scrub);
  return new RemoteError(
    `registry ${registry} rejected the manifest media type ${mediaType}${said ? `: ${said}` : ""}`,
    { status: response.status, hint: "the registry may not support this manifest type; check its version" },
  );
}

/** Credentials were sent and refused. Never names the user or the secret. */
export function credentialsRejected(registry: string): UserError {
  return new UserError(
    `registry ${registry} rejected the stored credentials — check \`docker login ${registry}\` / auth.json`,
  );
}

/** The registry wants credentials and none are stored for it. */
export function credentialsMissing(registry: string): UserError {
  return new UserError(
    `registry ${registry} requires authentication and no credentials are stored for it — run \`docker login ${registry}\` (or \`podman login ${registry}\`)`,
  );
}

/** Authenticated, but the token did not grant what the request needed. */
export function accessDenied(registry: string, scopes: readonly string[], anonymous: boolean): UserError {
  const who = anonymous ? "anonymous access" : "the stored credentials";
  return new UserError(`registry ${registry} did not grant ${scopes.join(" ")} to ${who}`, {
    hint: anonymous
      ? `run \`docker login ${registry}\` (or \`podman login ${registry}\`)`
      : "check the account's permissions on the repository",
  });
}
