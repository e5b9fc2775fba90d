/**
 * The one way dray talks to an API server: the official client's KubeConfig loads the kubeconfig
 * (file, context, TLS, bearer token, exec and OIDC plugins, proxy) and signs each request, which
 * is then sent as plain HTTP. Sending ourselves keeps the objects as JSON: the client's typed
 * serializer would drop fields its models do not know (e.g. NetworkPolicy `from`).
 */
import { existsSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubernetesTargetConfig } from "../../config/index.js";
import { UserError } from "../../errors/index.js";
import { responseError, type ServerSource, unreachableError } from "./api-errors.js";

/** A request's query parameters; undefined values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** A connection to one API server. */
export interface KubeApi {
  readonly source: ServerSource;
  /** Sends a request and returns the JSON answer; throws UserError/RemoteError for anything but 2xx. */
  request(
    method: "GET" | "PATCH" | "DELETE",
    path: string,
    options?: { query?: Query; body?: unknown; contentType?: string },
  ): Promise<unknown>;
  /** GET returning text (pods/log). */
  text(path: string, query?: Query): Promise<string>;
}

/** A single request may take this long before dray gives up on the server. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Where the target's settings come from, for messages. */
export interface KubeApiOptions {
  /** The environment to read KUBECONFIG and HOME from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the target is written in dray.yaml ("dray.yaml:14:5"), for hints. */
  readonly where?: string;
}

/** Loads the kubeconfig `config` names and connects to its context's cluster. */
export async function createKubeApi(
  config: KubernetesTargetConfig,
  options: KubeApiOptions = {},
): Promise<KubeApi> {
  const { kc, source } = await loadKubeConfig(config, options);
  const base = source.server.replace(/\/+$/, "");

  const send = async (
    method: string,
    apiPath: string,
    query: Query | undefined,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> => {
    const url = new URL(base + apiPath);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const answer = await sendSigned(kc, source, url, { method, headers: { ...headers } }, body);
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw responseError(source, method, apiPath, answer.status, parseJson(answer.text) ?? answer.text);
  };

  return {
    source,
    async request(method, apiPath, options = {}) {
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = { Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";
      return parseJson((await send(method, apiPath, options.query, body, headers)).text);
    },
    async text(apiPath, query) {
      return (await send("GET", apiPath, query, undefined, { Accept: "text/plain" })).text;
    },
  };
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

async function loadKubeConfig(
  config: KubernetesTargetConfig,
  options: KubeApiOptions,
): Promise<{ kc: KubeConfig; source: ServerSource }> {
  // Heavy (HTTP agents, auth plugins, generated models): loaded only when a kubernetes target opens.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const env = options.env ?? process.env;
  const target = `the kubernetes target "${config.name}"${options.where ? ` (${options.where})` : ""}`;
  const fromEnv = (env["KUBECONFIG"] ?? "").split(path.delimiter).filter(Boolean);
  const home = path.join(env["HOME"] ?? os.homedir(), ".kube", "config");
  const kubeconfig = config.kubeconfig ?? (fromEnv.length > 0 ? fromEnv.join(path.delimiter) : home);
  const kc = new KubeConfig();
  try {
    // Several KUBECONFIG files are merged by the client the way kubectl does it.
    if (config.kubeconfig !== undefined || fromEnv.length === 1) kc.loadFromFile(kubeconfig);
    else if (fromEnv.length === 0 && existsSync(home)) kc.loadFromFile(home);
    else kc.loadFromDefault();
  } catch (error) {
    throw new UserError(`cannot read the kubeconfig ${kubeconfig}: ${(error as Error).message}`, {
      hint: `Point \`kubeconfig\` of ${target} (or KUBECONFIG) at a valid kubeconfig file.`,
      cause: error,
    });
  }
  if (config.context !== undefined) {
    if (!kc.getContextObject(config.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`no context "${config.context}" in ${kubeconfig}`, {
        hint: `Contexts there: ${known.join(", ") || "(none)"}. Fix \`context\` of ${target}.`,
      });
    }
    kc.setCurrentContext(config.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new UserError(
      `the kubeconfig ${kubeconfig} names no cluster for context "${kc.getCurrentContext()}"`,
      {
        hint: `Select a context with a cluster: set \`context\` of ${target}.`,
      },
    );
  }
  return { kc, source: { server: cluster.server, context: kc.getCurrentContext(), kubeconfig } };
}

/** One request, signed by the kubeconfig's user (token, client certificate, exec plugin…). */
async function sendSigned(
  kc: KubeConfig,
  source: ServerSource,
  url: URL,
  options: https.RequestOptions,
  body: string | undefined,
): Promise<Answer> {
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
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
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
