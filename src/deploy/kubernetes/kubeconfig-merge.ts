/**
 * kubeconfig files read and merged the way kubectl does it
 * (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files):
 * the first file to define a cluster, user or context name wins that name as a whole (later
 * definitions are dropped, not merged field by field), and the first file to set
 * `current-context` wins it. Relative file references are relative to the file that holds them.
 * Pure except readKubeconfigFile.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { UserError } from "../../errors/index.js";

/** A cluster entry as kubeconfig spells it. */
export interface RawCluster {
  readonly server?: string;
  readonly "certificate-authority"?: string;
  readonly "certificate-authority-data"?: string;
  readonly "insecure-skip-tls-verify"?: boolean;
  readonly "tls-server-name"?: string;
  readonly "proxy-url"?: string;
}

/** An exec credential plugin (client.authentication.k8s.io). */
export interface ExecConfig {
  readonly apiVersion?: string;
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  readonly installHint?: string;
  readonly provideClusterInfo?: boolean;
  readonly interactiveMode?: "Never" | "IfAvailable" | "Always";
}

/** A user (AuthInfo) entry as kubeconfig spells it. */
export interface RawUser {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly "client-certificate"?: string;
  readonly "client-certificate-data"?: string;
  readonly "client-key"?: string;
  readonly "client-key-data"?: string;
  readonly username?: string;
  readonly password?: string;
  readonly as?: string;
  readonly "auth-provider"?: { readonly name: string; readonly config?: Record<string, string> };
  readonly exec?: ExecConfig;
}

/** A context entry. */
export interface RawContext {
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string;
}

/** One or more kubeconfig files, merged. */
export interface Kubeconfig {
  readonly clusters: ReadonlyMap<string, RawCluster>;
  readonly users: ReadonlyMap<string, RawUser>;
  readonly contexts: ReadonlyMap<string, RawContext>;
  readonly currentContext: string | undefined;
}

/** An empty kubeconfig: what no file at all amounts to. */
export const EMPTY_KUBECONFIG: Kubeconfig = {
  clusters: new Map(),
  users: new Map(),
  contexts: new Map(),
  currentContext: undefined,
};

/** Merges in kubectl's order: for every name and for current-context, the first file that sets it wins. */
export function mergeKubeconfigs(files: readonly Kubeconfig[]): Kubeconfig {
  const clusters = new Map<string, RawCluster>();
  const users = new Map<string, RawUser>();
  const contexts = new Map<string, RawContext>();
  let currentContext: string | undefined;
  for (const file of files) {
    for (const [name, value] of file.clusters) if (!clusters.has(name)) clusters.set(name, value);
    for (const [name, value] of file.users) if (!users.has(name)) users.set(name, value);
    for (const [name, value] of file.contexts) if (!contexts.has(name)) contexts.set(name, value);
    currentContext ??= file.currentContext || undefined;
  }
  return { clusters, users, contexts, currentContext };
}

/** Parses one kubeconfig's text; relative paths in it become relative to `dir`. `name` is for messages. */
export function parseKubeconfig(text: string, name: string, dir: string): Kubeconfig {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new UserError(`the kubeconfig ${name} is not valid YAML: ${(error as Error).message}`, {
      hint: "Fix the file, or point KUBECONFIG or `kubeconfig` of the target at another one.",
      cause: error,
    });
  }
  const doc = isRecord(value) ? value : {};
  const entries = <T>(key: string, field: string, fix: (entry: T) => T): Map<string, T> => {
    const out = new Map<string, T>();
    const list = Array.isArray(doc[key]) ? (doc[key] as unknown[]) : [];
    for (const item of list) {
      if (!isRecord(item) || typeof item["name"] !== "string") continue;
      // kubectl keeps the first entry of a name within a file too.
      if (!out.has(item["name"])) out.set(item["name"], fix((isRecord(item[field]) ? item[field] : {}) as T));
    }
    return out;
  };
  const current = doc["current-context"];
  return {
    clusters: entries<RawCluster>("clusters", "cluster", (c) =>
      withAbsolute(c, dir, ["certificate-authority"]),
    ),
    users: entries<RawUser>("users", "user", (u) => resolveUserPaths(u, dir)),
    contexts: entries<RawContext>("contexts", "context", (c) => c),
    currentContext: typeof current === "string" && current !== "" ? current : undefined,
  };
}

/** Reads and parses one kubeconfig file; undefined when it does not exist. */
export async function readKubeconfigFile(file: string): Promise<Kubeconfig | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`cannot read the kubeconfig ${file}: ${(error as Error).message}`, {
      hint: "Check the file's permissions, or point KUBECONFIG or `kubeconfig` of the target elsewhere.",
      cause: error,
    });
  }
  return parseKubeconfig(text, file, path.dirname(file));
}

/** "~" and "~/x" with the home folder, as a shell would have expanded them. */
export function expandHome(file: string, home: string): string {
  if (file === "~") return home;
  return file.startsWith("~/") ? path.join(home, file.slice(2)) : file;
}

function resolveUserPaths(user: RawUser, dir: string): RawUser {
  const fixed = withAbsolute(user, dir, ["client-certificate", "client-key", "tokenFile"]);
  // A plugin command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
  const exec = user.exec;
  if (!exec || typeof exec.command !== "string" || !exec.command.includes("/")) return fixed;
  return { ...fixed, exec: { ...exec, command: path.resolve(dir, exec.command) } };
}

function withAbsolute<T extends object>(entry: T, dir: string, keys: readonly string[]): T {
  const out = { ...entry } as Record<string, unknown>;
  for (const key of keys) {
    const value = out[key];
    if (typeof value === "string" && value !== "" && !path.isAbsolute(value))
      out[key] = path.join(dir, value);
  }
  return out as T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
