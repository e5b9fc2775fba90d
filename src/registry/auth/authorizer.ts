/**
 * Authorization for one registry, the way Docker does it: go anonymous first; on a 401 read the
 * `WWW-Authenticate` challenge, then answer Basic with the stored password or Bearer with a token from
 * the realm (https://distribution.github.io/distribution/spec/auth/token/). Tokens are cached per scope.
 */
import { RemoteError, UserError } from "../../errors/index.js";
import { accessDenied, credentialsMissing, credentialsRejected, scrubber } from "../errors.js";
import { type HttpTransport, isLoopbackHost } from "../http.js";
import type { Credential, CredentialSource } from "../types.js";
import { type Challenge, mergeScopes, parseWwwAuthenticate, pickChallenge } from "./challenge.js";
import { createTokenCache } from "./token-cache.js";
import { basicAuthorization, fetchToken } from "./token-endpoint.js";

/** Decides the Authorization header of each request to one registry. */
export interface Authorizer {
  /** The header for a request needing `scopes`, once the registry has challenged; undefined before (go anonymous). */
  authorization(scopes: readonly string[]): Promise<string | undefined>;
  /** Remember a challenge seen without a failed request (the `/v2/` ping). */
  learn(header: string | undefined): void;
  /** After a 401: the header to send the request again with, or the clear error when a retry cannot help. */
  challenged(
    header: string | undefined,
    scopes: readonly string[],
    sent: string | undefined,
  ): Promise<string>;
  /** The error for a 401 that came back although fresh authorization was sent. */
  refused(header: string | undefined, scopes: readonly string[]): Promise<UserError>;
  /** Strings that must never appear in output: passwords, tokens, Authorization values. */
  secrets(): string[];
}

/** What the authorizer needs. */
export interface AuthorizerOptions {
  registry: string;
  credentials: CredentialSource;
  /** Sends token requests (already wrapped for retries). */
  transport: HttpTransport;
  /** The registry is marked insecure: a plain-HTTP token realm is accepted even off loopback. */
  insecure?: boolean;
  /** Epoch milliseconds; injected for tests of token expiry. */
  now?: () => number;
}

/** An authorizer that caches the credential lookup, the last challenge and the bearer tokens. */
export function createAuthorizer(options: AuthorizerOptions): Authorizer {
  const { registry } = options;
  const now = options.now ?? Date.now;
  const cache = createTokenCache();
  const secrets = new Set<string>();
  const scrub = scrubber(() => secrets);
  let challenge: Challenge | undefined;
  const inFlight = new Map<string, Promise<string>>();
  let credentialPromise: Promise<Credential | undefined> | undefined;

  function credential(): Promise<Credential | undefined> {
    credentialPromise ??= options.credentials.get(registry).then((c) => {
      for (const s of [c?.password, c?.identityToken]) if (s) secrets.add(s);
      if (c?.username !== undefined && c.password !== undefined) {
        secrets.add(basicAuthorization(c.username, c.password).slice("Basic ".length));
      }
      return c;
    });
    return credentialPromise;
  }

  async function answer(
    current: Challenge,
    scopes: readonly string[],
    fresh: boolean,
  ): Promise<string | undefined> {
    const cred = await credential();
    if (current.scheme === "basic") {
      return cred?.username !== undefined && cred.password !== undefined
        ? basicAuthorization(cred.username, cred.password)
        : undefined;
    }
    const realm = realmUrl(current, registry, cred !== undefined, options.insecure === true);
    const service = current.params["service"];
    const key = `${realm.href} ${service ?? ""}`;
    const cached = fresh ? undefined : cache.get(key, scopes, now());
    if (cached !== undefined) return `Bearer ${cached}`;
    // Parallel uploads all meet the first 401 together: they share one token request per scope set.
    const flightKey = `${key} ${scopes.join(" ")}`;
    let flight = inFlight.get(flightKey);
    if (flight === undefined) {
      flight = fetchToken(options.transport, { registry, realm, service, scopes, credential: cred }, scrub)
        .then((issued) => {
          secrets.add(issued.token);
          cache.set(key, scopes, issued.token, now(), issued.lifetimeMs);
          return issued.token;
        })
        .finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, flight);
    }
    return `Bearer ${await flight}`;
  }

  function parse(header: string | undefined): Challenge | undefined {
    return header === undefined ? undefined : pickChallenge(parseWwwAuthenticate(header));
  }

  return {
    async authorization(scopes) {
      return challenge === undefined ? undefined : answer(challenge, mergeScopes(scopes), false);
    },
    learn(header) {
      challenge = parse(header) ?? challenge;
    },
    async challenged(header, scopes, sent) {
      const parsed = parse(header);
      if (parsed === undefined) {
        throw new RemoteError(
          `registry ${registry} answered 401 without a challenge dray can answer (Basic or Bearer)`,
          {
            status: 401,
          },
        );
      }
      challenge = parsed;
      if (sent?.startsWith("Bearer ")) cache.drop(sent.slice("Bearer ".length));
      if (
        sent !== undefined &&
        (parsed.scheme === "basic" || parsed.params["error"] === "insufficient_scope")
      ) {
        throw await this.refused(header, scopes);
      }
      // The challenge's own scope says what the registry wants; ask for it together with ours.
      const wanted = mergeScopes([...scopes, ...(parsed.params["scope"] ? [parsed.params["scope"]] : [])]);
      const value = await answer(parsed, wanted, true);
      if (value === undefined) throw credentialsMissing(registry);
      return value;
    },
    async refused(header, scopes) {
      const cred = await credential();
      const parsed = parse(header);
      if (cred === undefined) return credentialsMissing(registry);
      if (parsed?.params["error"] === "insufficient_scope")
        return accessDenied(registry, mergeScopes(scopes), false);
      return credentialsRejected(registry);
    },
    secrets: () => [...secrets],
  };
}

/** The token realm as a URL; credentials go to a plain-HTTP realm only on loopback or for an insecure registry. */
function realmUrl(challenge: Challenge, registry: string, hasCredential: boolean, insecure: boolean): URL {
  const text = challenge.params["realm"];
  let url: URL | undefined;
  try {
    url = text ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new RemoteError(`registry ${registry} sent a Bearer challenge without a usable realm URL`, {
      status: 401,
    });
  }
  if (url.protocol === "http:" && hasCredential && !insecure && !isLoopbackHost(url.host)) {
    throw new UserError(
      `registry ${registry} wants credentials sent to ${url.origin} over plain HTTP; dray refuses to send them`,
      {
        hint: "use an HTTPS token service, or mark the registry `insecure: true` in dray.yaml if it is a test registry",
      },
    );
  }
  return url;
}
