/**
 * `WWW-Authenticate` challenges (https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1) as registries send
 * them: `Basic realm="Registry"` or `Bearer realm="https://auth.example/token",service="x",scope="repository:a:pull"`
 * (https://distribution.github.io/distribution/spec/auth/token/#how-to-authenticate).
 */

/** One challenge: the scheme in lowercase and its parameters (names lowercase, values unquoted). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Every challenge in a header value; several may be listed, comma-separated, and params may be quoted. */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const scanner = { text: header, pos: 0 };
  for (;;) {
    skip(scanner, /[\s,]*/y);
    if (scanner.pos >= header.length) break;
    const scheme = take(scanner, /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y);
    if (scheme === undefined) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      const save = scanner.pos;
      skip(scanner, /[\s,]*/y);
      const name = take(scanner, /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y);
      skip(scanner, /\s*/y);
      // `abc==` right after the scheme is a token68 (ends in '='), not a parameter without a value.
      const token68 = Object.keys(challenge.params).length === 0 && peek(scanner, /=+\s*(?:,|$)/y);
      if (name === undefined || header[scanner.pos] !== "=" || token68) {
        // Not `name=`: either a token68 (Basic's credentials form, ignored) or the next challenge's scheme.
        scanner.pos = save;
        skipToken68(scanner, challenge);
        break;
      }
      scanner.pos++;
      skip(scanner, /\s*/y);
      challenge.params[name.toLowerCase()] = readValue(scanner);
    }
  }
  return challenges;
}

interface Scanner {
  text: string;
  pos: number;
}

function skip(s: Scanner, pattern: RegExp): void {
  take(s, pattern);
}

function peek(s: Scanner, pattern: RegExp): boolean {
  pattern.lastIndex = s.pos;
  return pattern.test(s.text);
}

function take(s: Scanner, pattern: RegExp): string | undefined {
  pattern.lastIndex = s.pos;
  const match = pattern.exec(s.text);
  if (!match || match[0] === "") return undefined;
  s.pos += match[0].length;
  return match[0];
}

/** A quoted-string (with backslash escapes) or a bare token. */
function readValue(s: Scanner): string {
  if (s.text[s.pos] !== '"') return take(s, /[^\s,]+/y) ?? "";
  let out = "";
  for (s.pos++; s.pos < s.text.length; s.pos++) {
    const c = s.text[s.pos];
    if (c === "\\") out += s.text[++s.pos] ?? "";
    else if (c === '"') {
      s.pos++;
      break;
    } else out += c;
  }
  return out;
}

/** `Negotiate abc==` style: a token68 right after the scheme belongs to it; skip it unless it is the next scheme. */
function skipToken68(s: Scanner, challenge: Challenge): void {
  if (Object.keys(challenge.params).length > 0) return;
  const save = s.pos;
  skip(s, /\s+/y);
  const token = take(s, /[A-Za-z0-9\-._~+/]+=*/y);
  skip(s, /\s*/y);
  // Followed by a comma or the end: a token68. Followed by anything else: it was the next scheme.
  if (token === undefined || (s.pos < s.text.length && s.text[s.pos] !== ",")) s.pos = save;
}

/** The first challenge whose scheme dray can answer (Bearer preferred over Basic). */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}

/** `repository:NAME:ACTIONS` (https://distribution.github.io/distribution/spec/auth/scope/). */
export function repositoryScope(
  repository: string,
  actions: readonly ("pull" | "push" | "delete")[],
): string {
  return `repository:${repository}:${actions.join(",")}`;
}

/** A scope string as grants: "repository:a:pull,push" → ["repository:a:pull", "repository:a:push"]. */
export function scopeGrants(scope: string): string[] {
  const last = scope.lastIndexOf(":");
  if (last <= 0) return [scope];
  const resource = scope.slice(0, last);
  return scope
    .slice(last + 1)
    .split(",")
    .filter((a) => a !== "")
    .map((action) => `${resource}:${action}`);
}

/** Scopes merged so each resource is listed once with the union of its actions, sorted for a stable cache key. */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const grant of scopeGrants(scope)) {
      const last = grant.lastIndexOf(":");
      const resource = grant.slice(0, last);
      const actions = byResource.get(resource) ?? new Set<string>();
      actions.add(grant.slice(last + 1));
      byResource.set(resource, actions);
    }
  }
  return [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(",")}`).sort();
}
