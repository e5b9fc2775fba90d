/**
 * One registry's connection state: which scheme it speaks, its authorizer, retries, redirects, and the
 * mapping of failures to clear errors. Every client operation sends through `send`.
 */
import { readFile } from "node:fs/promises";
import { RemoteError, UserError } from "../../errors/index.js";
import { type Authorizer, createAuthorizer } from "../auth/authorizer.js";
import { createDefaultCredentialSource } from "../credentials.js";
import { responseFailure, type Scrub, scrubber, transportFailure } from "../errors.js";
import {
  apiHost,
  createHttpTransport,
  type HttpMethod,
  type HttpResponse,
  type HttpTransport,
  headerValue,
  isLoopbackHost,
} from "../http.js";
import { createRetryingTransport } from "../retry.js";
import type { RegistryOptions } from "../types.js";

/** A request relative to the registry (`/v2/...`) or to a URL it handed out (an upload Location). */
export interface SessionRequest {
  method: HttpMethod;
  target: string | URL;
  scopes: readonly string[];
  headers?: Record<string, string>;
  body?: Buffer;
  maxBodyBytes?: number;
  /** Follow 3xx (blob downloads redirect to storage); Authorization is only ever sent to the registry itself. */
  followRedirects?: boolean;
  idempotent?: boolean;
}

/** What client operations use. */
export interface RegistrySession {
  readonly registry: string;
  send(request: SessionRequest): Promise<HttpResponse>;
  /** The error for a response the operation did not expect. */
  failure(response: HttpResponse, description: string): UserError | RemoteError;
  readonly scrub: Scrub;
  close(): void;
}

/** Test seams: a transport to use instead of the network, and a clock for tokens. */
export interface SessionInternals {
  transport?: HttpTransport;
  now?: () => number;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A session for `registry` ("host:port"). Nothing is read or sent until the first request. */
export function createSession(
  registry: string,
  options: RegistryOptions = {},
  internals: SessionInternals = {},
): RegistrySession {
  let raw: Promise<HttpTransport> | undefined;
  let retrying: HttpTransport | undefined;
  let baseUrl: Promise<URL> | undefined;
  const insecure = options.insecure === true;

  const rawTransport = () => {
    raw ??= openTransport(registry, options, internals);
    return raw;
  };
  const transport = async () => {
    retrying ??= createRetryingTransport(await rawTransport(), {
      maxAttempts: options.maxAttempts,
      sleep: options.sleep,
      onRetry: options.onRetry,
    });
    return retrying;
  };
  // The token endpoint may be another host; it gets the same retries but never the registry's Authorization.
  const lazyTransport: HttpTransport = {
    request: async (r) => (await transport()).request(r),
    close: () => retrying?.close(),
  };
  const authorizer: Authorizer = createAuthorizer({
    registry,
    credentials: options.credentials ?? createDefaultCredentialSource(),
    transport: lazyTransport,
    insecure,
    ...(internals.now ? { now: internals.now } : {}),
  });
  const scrub = scrubber(() => authorizer.secrets());

  const base = () => {
    baseUrl ??= resolveBase(registry, options, rawTransport, authorizer);
    return baseUrl;
  };

  async function send(request: SessionRequest): Promise<HttpResponse> {
    const root = await base();
    const http = await transport();
    let url = typeof request.target === "string" ? new URL(request.target, root) : request.target;
    let { method, body } = request;
    let own = url.origin === root.origin;
    let authorization = own ? await authorizer.authorization(request.scopes) : undefined;
    let challenged = false;
    for (let hops = 0; ; ) {
      const headers = { ...request.headers, ...(authorization ? { Authorization: authorization } : {}) };
      const response = await http
        .request({
          method,
          url,
          headers,
          ...(body ? { body } : {}),
          ...(request.maxBodyBytes !== undefined ? { maxBodyBytes: request.maxBodyBytes } : {}),
          ...(request.idempotent !== undefined ? { idempotent: request.idempotent } : {}),
        })
        .catch((error: unknown) => {
          throw transportFailure(error, own ? registry : url.host);
        });
      const challenge = headerValue(response.headers, "www-authenticate");
      if (response.status === 401 && own) {
        if (challenged) throw await authorizer.refused(challenge, request.scopes);
        authorization = await authorizer.challenged(challenge, request.scopes, authorization);
        challenged = true;
        continue;
      }
      const location = headerValue(response.headers, "location");
      if (!request.followRedirects || !REDIRECTS.has(response.status) || !location) return response;
      if (++hops > MAX_REDIRECTS)
        throw new RemoteError(`registry ${registry} redirected more than ${MAX_REDIRECTS} times`);
      url = new URL(location, url);
      if (
        url.protocol !== "https:" &&
        !(url.protocol === "http:" && (insecure || isLoopbackHost(url.host)))
      ) {
        throw new RemoteError(
          `registry ${registry} redirected to ${url.protocol}//${url.host}, which dray does not follow`,
        );
      }
      if (response.status === 303) {
        method = "GET";
        body = undefined;
      }
      own = url.origin === root.origin;
      authorization = own ? await authorizer.authorization(request.scopes) : undefined;
      challenged = false;
    }
  }

  return {
    registry,
    send,
    failure: (response, description) => responseFailure(response, { registry, description }, scrub),
    scrub,
    close: () => retrying?.close(),
  };
}

async function openTransport(
  registry: string,
  options: RegistryOptions,
  internals: SessionInternals,
): Promise<HttpTransport> {
  if (internals.transport) return internals.transport;
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = await readFile(options.caFile);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new UserError(
        `cannot read the CA file ${options.caFile} given for registry ${registry} (${code})`,
        {
          hint: "fix the `ca:` path in dray.yaml",
        },
      );
    }
  }
  return createHttpTransport({ ...(ca ? { ca } : {}), insecure: options.insecure === true });
}

/**
 * The registry's base URL. HTTPS always, except that a loopback or `insecure` registry without a CA file is
 * probed like Docker does: HTTPS first, plain HTTP when the port does not speak TLS. A certificate error is
 * not a reason to fall back. The probe's 401 teaches the authorizer the challenge, saving a round trip later.
 */
async function resolveBase(
  registry: string,
  options: RegistryOptions,
  transport: () => Promise<HttpTransport>,
  authorizer: Authorizer,
): Promise<URL> {
  const host = apiHost(registry);
  const secure = new URL(`https://${host}/`);
  if (options.caFile || !(isLoopbackHost(registry) || options.insecure)) return secure;
  const http = await transport();
  const ping = async (root: URL) => {
    const response = await http.request({
      method: "GET",
      url: new URL("/v2/", root),
      maxBodyBytes: 64 * 1024,
    });
    if (response.status === 401) authorizer.learn(headerValue(response.headers, "www-authenticate"));
    return root;
  };
  try {
    return await ping(secure);
  } catch (error) {
    if (!speaksPlainHttp(error)) throw transportFailure(error, registry);
  }
  return ping(new URL(`http://${host}/`)).catch((error: unknown) => {
    throw transportFailure(error, registry);
  });
}

/** A TLS client talking to a plain-HTTP port fails with a protocol error (OpenSSL's "wrong version number") or a reset. */
function speaksPlainHttp(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" && (code.startsWith("ERR_SSL_") || code === "EPROTO" || code === "ECONNRESET")
  );
}
