/**
 * Bearer tokens kept per (token service, scopes) until shortly before they expire, so a push of many
 * blobs asks the token endpoint once per repository instead of once per request.
 */
import { scopeGrants } from "./challenge.js";

/** Cached tokens for one registry. */
export interface TokenCache {
  /** A token still valid at `nowMs` whose grants cover every scope asked for. */
  get(service: string, scopes: readonly string[], nowMs: number): string | undefined;
  /** Remember a token issued at `nowMs` for `lifetimeMs`. */
  set(service: string, scopes: readonly string[], token: string, nowMs: number, lifetimeMs: number): void;
  /** Forget a token the registry refused (revoked, or expired earlier than it said). */
  drop(token: string): void;
}

interface Entry {
  service: string;
  grants: Set<string>;
  token: string;
  /** When to stop using it: expiry minus a margin for clock skew and requests in flight. */
  useUntilMs: number;
}

/** Longest margin kept before expiry; short-lived tokens keep half their life instead. */
const MAX_MARGIN_MS = 10_000;

/** An in-memory cache; a token is reused while `now < issued + lifetime - margin`. */
export function createTokenCache(): TokenCache {
  let entries: Entry[] = [];
  return {
    get(service, scopes, nowMs) {
      const wanted = scopes.flatMap(scopeGrants);
      entries = entries.filter((e) => e.useUntilMs > nowMs);
      const hit = entries.find((e) => e.service === service && wanted.every((g) => e.grants.has(g)));
      return hit?.token;
    },
    set(service, scopes, token, nowMs, lifetimeMs) {
      const margin = Math.min(MAX_MARGIN_MS, lifetimeMs / 2);
      entries.push({
        service,
        grants: new Set(scopes.flatMap(scopeGrants)),
        token,
        useUntilMs: nowMs + lifetimeMs - margin,
      });
    },
    drop(token) {
      entries = entries.filter((e) => e.token !== token);
    },
  };
}
