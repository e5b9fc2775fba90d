/**
 * Asking a registry's token endpoint for a bearer token: GET with Basic auth (or none) per
 * https://distribution.github.io/distribution/spec/auth/token/, or POST with a refresh token when the
 * credential is an identity token, per https://distribution.github.io/distribution/spec/auth/oauth/.
 */
import { RemoteError } from "../../errors/index.js";
import { credentialsMissing, credentialsRejected, remoteMessage, type Scrub } from "../errors.js";
import type { HttpRequest, HttpTransport } from "../http.js";
import type { Credential } from "../types.js";

/** What to ask for. */
export interface TokenRequest {
  /** The registry the token is for; only used in messages. */
  registry: string;
  realm: URL;
  service: string | undefined;
  scopes: readonly string[];
  credential: Credential | undefined;
}

/** A token and how long it may be used. */
export interface IssuedToken {
  token: string;
  lifetimeMs: number;
}

/** The spec's default lifetime when `expires_in` is absent. */
const DEFAULT_LIFETIME_S = 60;
/** Token responses are small JSON documents. */
const MAX_TOKEN_RESPONSE = 1024 * 1024;

/** The Basic authorization value for a username and password. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Builds the token request: POST with the refresh token for identity tokens, else GET (with Basic auth when a password is known). */
export function tokenHttpRequest(req: TokenRequest): HttpRequest {
  const { credential } = req;
  if (credential?.identityToken) {
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credential.identityToken,
    });
    form.set("client_id", "dray");
    if (req.service) form.set("service", req.service);
    // The OAuth form takes scopes space-separated in one field.
    if (req.scopes.length > 0) form.set("scope", req.scopes.join(" "));
    return {
      method: "POST",
      url: req.realm,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: Buffer.from(form.toString()),
      // Asking again for a token changes nothing on the server.
      idempotent: true,
    };
  }
  const url = new URL(req.realm);
  if (req.service) url.searchParams.set("service", req.service);
  for (const scope of req.scopes) url.searchParams.append("scope", scope);
  const headers: Record<string, string> = {};
  if (credential?.username !== undefined && credential.password !== undefined) {
    headers["Authorization"] = basicAuthorization(credential.username, credential.password);
  }
  return { method: "GET", url, headers };
}

/** Fetches a token; a 401/403 from the endpoint means the credentials (or their absence) are the problem. */
export async function fetchToken(
  transport: HttpTransport,
  req: TokenRequest,
  scrub: Scrub,
): Promise<IssuedToken> {
  const request = { ...tokenHttpRequest(req), maxBodyBytes: MAX_TOKEN_RESPONSE };
  const response = await transport.request(request);
  const endpoint = `${req.realm.origin}${req.realm.pathname}`;
  const hasCredential = req.credential?.identityToken !== undefined || req.credential?.password !== undefined;
  if (response.status === 401 || response.status === 403) {
    throw hasCredential ? credentialsRejected(req.registry) : credentialsMissing(req.registry);
  }
  if (response.status !== 200) {
    const said = remoteMessage(response, scrub);
    throw new RemoteError(
      `token endpoint ${endpoint} of registry ${req.registry} answered HTTP ${response.status}${said ? `: ${said}` : ""}`,
      { status: response.status, retryable: response.status === 429 || response.status >= 500 },
    );
  }
  return parseTokenResponse(response.body, endpoint, req.registry);
}

/** Reads `token` (or OAuth's `access_token`) and `expires_in` from a token response. */
export function parseTokenResponse(body: Buffer, endpoint: string, registry: string): IssuedToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    // The parser's message quotes the body, which holds a token: say nothing about the content.
    parsed = undefined;
  }
  const fields = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const token = typeof fields["token"] === "string" ? fields["token"] : fields["access_token"];
  if (typeof token !== "string" || token === "") {
    throw new RemoteError(`token endpoint ${endpoint} of registry ${registry} sent no token`);
  }
  const expiresIn = fields["expires_in"];
  const seconds = typeof expiresIn === "number" && expiresIn > 0 ? expiresIn : DEFAULT_LIFETIME_S;
  return { token, lifetimeMs: seconds * 1000 };
}
