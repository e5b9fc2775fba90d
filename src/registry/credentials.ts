/**
 * Where registry credentials come from: the files `docker login` and `podman login` write
 * (https://docs.docker.com/reference/cli/docker/login/, containers-auth.json(5)) and the credential helpers
 * they name. Secrets are returned to the authorizer only; no message here ever contains one.
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { UserError } from "../errors/index.js";
import { type HelperRunner, runCredentialHelper } from "./auth/credential-helper.js";
import type { Credential, CredentialSource } from "./types.js";

/** What the default source reads; injected for tests. */
export interface CredentialSourceOptions {
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  runHelper?: HelperRunner;
}

/** The shape shared by Docker's config.json and Podman's auth.json (the parts dray reads). */
interface AuthFile {
  auths?: Record<string, AuthEntry | undefined>;
  credsStore?: string;
  credHelpers?: Record<string, string | undefined>;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

/**
 * Files to look in, first match wins: `$REGISTRY_AUTH_FILE` (the user pointed at it), Docker's config
 * (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`), then Podman's runtime and persistent auth.json.
 */
export function authFilePaths(env: NodeJS.ProcessEnv, homeDir: string): string[] {
  const paths: string[] = [];
  if (env["REGISTRY_AUTH_FILE"]) paths.push(env["REGISTRY_AUTH_FILE"]);
  paths.push(path.join(env["DOCKER_CONFIG"] || path.join(homeDir, ".docker"), "config.json"));
  if (env["XDG_RUNTIME_DIR"]) paths.push(path.join(env["XDG_RUNTIME_DIR"], "containers", "auth.json"));
  paths.push(path.join(homeDir, ".config", "containers", "auth.json"));
  return paths;
}

/** Docker Hub has three names; its logins are stored under the old index URL. */
const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);

/** The host a config key names: `https://host/v1/`, `http://host`, `host/v1/` and `host` all name `host`. Undefined for keys scoped to a repository. */
export function keyHost(key: string): string | undefined {
  const withoutScheme = key.replace(/^https?:\/\//i, "");
  const slash = withoutScheme.indexOf("/");
  const host = slash < 0 ? withoutScheme : withoutScheme.slice(0, slash);
  const rest = slash < 0 ? "" : withoutScheme.slice(slash);
  // Podman allows keys like `quay.io/org`; they are for one namespace, and the registry-wide lookup skips them.
  if (!/^(\/(v1|v2)?\/?)?$/.test(rest)) return undefined;
  return host.toLowerCase();
}

/** True when a config key names `registry`. */
export function keyMatches(key: string, registry: string): boolean {
  const host = keyHost(key);
  const wanted = registry.toLowerCase();
  if (host === undefined) return false;
  return host === wanted || (DOCKER_HUB.has(host) && DOCKER_HUB.has(wanted));
}

/** The credential an auths entry holds; the `auth` field is base64 of `user:password`. */
export function entryCredential(entry: AuthEntry, file: string, key: string): Credential | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) {
      // Never echo the value: it is the password, only encoded.
      throw new UserError(`auths["${key}"].auth in ${file} is not base64 of user:password`, {
        hint: `log in again with \`docker login ${key}\``,
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined) {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

/** Looks `registry` up in one parsed file: its credential helper first (credHelpers, then credsStore), then `auths`. */
export async function lookupInAuthFile(
  config: AuthFile,
  file: string,
  registry: string,
  runHelper: HelperRunner,
): Promise<Credential | undefined> {
  const helperKey = Object.keys(config.credHelpers ?? {}).find((k) => keyMatches(k, registry));
  const helper = (helperKey !== undefined ? config.credHelpers?.[helperKey] : undefined) ?? config.credsStore;
  if (helper) {
    const serverUrl = DOCKER_HUB.has(registry.toLowerCase()) ? "https://index.docker.io/v1/" : registry;
    const found = await runHelper(helper, serverUrl);
    if (found) return found;
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!entry || !keyMatches(key, registry)) continue;
    const found = entryCredential(entry, file, key);
    if (found) return found;
  }
  return undefined;
}

/** Reads and parses one auth file; undefined when it does not exist. */
export async function readAuthFile(file: string): Promise<AuthFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new UserError(`cannot read credentials file ${file} (${code ?? "error"})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Node's JSON error quotes the text around the problem, which may be a password: no cause, no detail.
    throw new UserError(`credentials file ${file} is not valid JSON`, {
      hint: "fix or delete it, then log in again",
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UserError(`credentials file ${file} does not hold a JSON object`);
  }
  return parsed as AuthFile;
}

/** Docker's and Podman's files and helpers, looked up on each call (a `docker login` between runs is seen). */
export function createDefaultCredentialSource(options: CredentialSourceOptions = {}): CredentialSource {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? os.homedir();
  const runHelper: HelperRunner =
    options.runHelper ?? ((helper, url) => runCredentialHelper(helper, url, env));
  return {
    async get(registry) {
      for (const file of authFilePaths(env, homeDir)) {
        const config = await readAuthFile(file);
        if (config === undefined) continue;
        const found = await lookupInAuthFile(config, file, registry, runHelper);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/** A fixed map of registry host to credential; for tests and for callers that already hold a login. */
export function staticCredentialSource(entries: Record<string, Credential>): CredentialSource {
  return { get: async (registry) => entries[registry] };
}
