/**
 * The one way dray talks to an API server. The cluster and user are resolved as kubectl resolves
 * them (cluster-access.ts); the official client's KubeConfig then signs each request (TLS, client
 * certificates, bearer tokens, auth-provider plugins, proxies), which is sent as plain HTTP.
 * Sending ourselves keeps the objects as JSON: the client's typed serializer would drop fields its
 * models do not know (e.g. NetworkPolicy `from`). Exec plugins and token files are dray's own
 * (exec-credential.ts), so that they behave as kubectl's do.
 */
import { readFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubernetesTargetConfig } from "../../config/index.js";
import { UserError } from "../../errors/index.js";
import { USER_AGENT } from "../../io/index.js";
import { describeRequest, responseError, type ServerSource, unreachableError } from "./api-errors.js";
import { type ClusterAccess, resolveClusterAccess } from "./cluster-access.js";
import { type ExecCredentials, execCredentials } from "./exec-credential.js";
import { parseWarnings } from "./warnings.js";

/** A request's query parameters; undefined values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** The HTTP methods dray sends. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One answer as it came. */
export interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
}

/** What a request may carry besides its method and path. */
export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

/** A connection to one API server. */
export interface KubeApi {
  readonly source: ServerSource;
  /** Sends a request and returns the JSON answer; throws UserError/RemoteError for anything but 2xx. */
  request(method: Method, path: string, options?: RequestOptions): Promise<unknown>;
  /**
   * GET returning text (pods/log). The API server serves logs as text/plain only to
   * `Accept: *\/*` or application/json: `Accept: text/plain` gets 406 Not Acceptable.
   */
  text(path: string, query?: Query): Promise<string>;
  /** Sends a request and returns whatever the server answered, without judging the status. */
  send(method: Method, path: string, options?: RequestOptions): Promise<Answer>;
  /**
   * GET whose answer is read as it arrives (pods/log with `follow`), with `Accept: *\/*` as for
   * text; throws like `request` for anything but 2xx. No time limit: a followed log may be quiet.
   */
  stream(path: string, query: Query, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
}

/** A single request may take this long before dray gives up on the server. */
const REQUEST_TIMEOUT_MS = 30_000;

/** How to find the cluster and what to do with what it says besides answering. */
export interface KubeApiOptions {
  /** The environment to read KUBECONFIG, HOME and KUBERNETES_SERVICE_* from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the target is written in dray.yaml ("dray.yaml:14:5"), for hints. */
  readonly where?: string;
  /** The service account folder for in-cluster credentials (default the one pods mount). */
  readonly serviceAccountDir?: string;
  /** Called with each Warning the server sends and the request it came with ("patch deployments api"). */
  readonly onWarning?: (text: string, request: string) => void;
}

/** Resolves the cluster of `config` and connects to it. */
export async function createKubeApi(
  config: KubernetesTargetConfig,
  options: KubeApiOptions = {},
): Promise<KubeApi> {
  const env = options.env ?? process.env;
  const access = await resolveClusterAccess(config, {
    env,
    ...(options.where ? { where: options.where } : {}),
    ...(options.serviceAccountDir ? { serviceAccountDir: options.serviceAccountDir } : {}),
  });
  const { source } = access;
  const base = source.server.replace(/\/+$/, "");
  const sign = await createSigner(access, env);

  const send = async (method: Method, apiPath: string, request: RequestOptions = {}): Promise<Answer> => {
    const url = new URL(base + apiPath);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      Accept: request.accept ?? "application/json",
      "User-Agent": USER_AGENT,
    };
    if (body !== undefined) {
      headers["Content-Type"] = request.contentType ?? "application/json";
      // Node frames a body only for methods it expects one with: a DELETE's DeleteOptions need the length.
      headers["Content-Length"] = String(Buffer.byteLength(body));
    }
    let answer = await sendOnce(await sign(false), source, url, method, headers, body);
    // An exec plugin's token may have been revoked before its stated expiry: kubectl runs it again once.
    if (answer.status === 401 && sign.refreshes)
      answer = await sendOnce(await sign(true), source, url, method, headers, body);
    for (const text of answer.warnings) options.onWarning?.(text, describeRequest(method, apiPath));
    return answer;
  };

  const judged = async (method: Method, apiPath: string, request: RequestOptions) => {
    const answer = await send(method, apiPath, request);
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw responseError(source, method, apiPath, answer.status, parseJson(answer.text) ?? answer.text);
  };

  return {
    source,
    send,
    async request(method, apiPath, request = {}) {
      return parseJson((await judged(method, apiPath, request)).text);
    },
    async text(apiPath, query) {
      return (await judged("GET", apiPath, { ...(query ? { query } : {}), accept: "*/*" })).text;
    },
    async stream(apiPath, query, signal) {
      const url = new URL(base + apiPath);
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) url.searchParams.set(key, String(value));
      const headers = { Accept: "*/*", "User-Agent": USER_AGENT };
      const response = await openStream(await sign(false), source, url, headers, signal);
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) return response;
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString("utf8");
      throw responseError(source, "GET", apiPath, status, parseJson(text) ?? text);
    },
  };
}

/** One GET whose response is handed over unread; aborting `signal` ends it. */
async function openStream(
  kc: KubeConfig,
  source: ServerSource,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const options: https.RequestOptions = { method: "GET", headers: { ...headers } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const transport = url.protocol === "http:" ? http : https;
    const request = transport.request(url, { ...options, signal }, resolve);
    request.on("error", (error) => reject(unreachableError(source, error)));
    request.end();
  });
}

/** Gives the KubeConfig to sign the next request with; `fresh` asks an exec plugin again. */
type Signer = ((fresh: boolean) => Promise<KubeConfig>) & { readonly refreshes: boolean };

async function createSigner(access: ClusterAccess, env: NodeJS.ProcessEnv): Promise<Signer> {
  // Heavy (HTTP agents, auth plugins, generated models): loaded only when a kubernetes target opens.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const { cluster, user, source } = access;
  const plugin: ExecCredentials | undefined = user.exec
    ? execCredentials(user.exec, cluster, { env, interactive: process.stdin.isTTY === true })
    : undefined;
  const sign = async (fresh: boolean): Promise<KubeConfig> => {
    let token = user.token;
    let certData = user["client-certificate-data"];
    let keyData = user["client-key-data"];
    if (token === undefined && user.tokenFile !== undefined) token = await readToken(user.tokenFile, source);
    if (plugin) {
      if (fresh) plugin.invalidate();
      const credential = await plugin.get();
      token = credential.token ?? token;
      if (credential.clientCertificateData && credential.clientKeyData) {
        certData = Buffer.from(credential.clientCertificateData).toString("base64");
        keyData = Buffer.from(credential.clientKeyData).toString("base64");
      }
    }
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: "cluster",
          server: cluster.server,
          skipTLSVerify: cluster["insecure-skip-tls-verify"] === true,
          ...optional("caFile", cluster["certificate-authority"]),
          ...optional("caData", cluster["certificate-authority-data"]),
          ...optional("tlsServerName", cluster["tls-server-name"]),
          ...optional("proxyUrl", cluster["proxy-url"]),
        },
      ],
      users: [
        {
          name: "user",
          ...optional("token", token),
          ...optional("certFile", certData === undefined ? user["client-certificate"] : undefined),
          ...optional("certData", certData),
          ...optional("keyFile", keyData === undefined ? user["client-key"] : undefined),
          ...optional("keyData", keyData),
          ...optional("username", user.username),
          ...optional("password", user.password),
          ...optional("impersonateUser", user.as),
          ...(user["auth-provider"] ? { authProvider: user["auth-provider"] } : {}),
        },
      ],
      contexts: [{ name: source.context, cluster: "cluster", user: "user" }],
      currentContext: source.context,
    });
    return kc;
  };
  return Object.assign(sign, { refreshes: plugin !== undefined });
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === "" ? {} : { [key]: value }) as { [P in K]?: string };
}

async function readToken(file: string, source: ServerSource): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (error) {
    throw new UserError(
      `cannot read the token file ${file} of ${source.kubeconfig}: ${(error as Error).message}`,
      {
        hint: "Check that the file exists and is readable, or fix `tokenFile` in the kubeconfig.",
        cause: error,
      },
    );
  }
}

/** One request, signed by the kubeconfig's user. */
async function sendOnce(
  kc: KubeConfig,
  source: ServerSource,
  url: URL,
  method: Method,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Answer & { warnings: string[] }> {
  const options: https.RequestOptions = { method, headers: { ...headers } };
  try {
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    throw new UserError(
      `cannot use context "${source.context}" of ${source.kubeconfig}: ${(error as Error).message}`,
      {
        hint: "For a plain-HTTP server the cluster needs `insecure-skip-tls-verify: true`; otherwise check its credentials.",
        cause: error,
      },
    );
  }
  return new Promise((resolve, reject) => {
    const transport = url.protocol === "http:" ? http : https;
    const request = transport.request(url, { ...options, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => reject(unreachableError(source, error)));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: response.headers["content-type"],
          text: Buffer.concat(chunks).toString("utf8"),
          warnings: parseWarnings(response.headersDistinct["warning"] ?? []),
        }),
      );
    });
    request.on("timeout", () => request.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000}s`)));
    request.on("error", (error) => reject(unreachableError(source, error)));
    request.end(body);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
