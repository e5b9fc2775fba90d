/**
 * Exec credential plugins (`users[].user.exec` in a kubeconfig), run as kubectl runs them
 * (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins):
 * the command gets KUBERNETES_EXEC_INFO, its stderr goes to the user's terminal (a plugin may
 * prompt there), and it prints an ExecCredential whose apiVersion must be the configured one.
 * The credential is reused until its expirationTimestamp. Neither the plugin's output nor the
 * credential ever appears in a message.
 */
import { spawn } from "node:child_process";
import { UserError } from "../../errors/index.js";
import type { ExecConfig } from "./kubeconfig-merge.js";

/** What a plugin returned: a bearer token, or a client certificate and key (PEM), or both. */
export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** Milliseconds since the epoch; undefined = valid for the life of the process. */
  readonly expiresAt?: number;
}

const API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];

/** Runs `exec` when no unexpired credential is cached; `invalidate` forgets it (after a 401). */
export interface ExecCredentials {
  get(): Promise<ExecCredential>;
  invalidate(): void;
}

/** A cache around one plugin; `cluster` is passed to it when it asks (provideClusterInfo). */
export function execCredentials(
  exec: ExecConfig,
  cluster: { server: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean },
  options: { env: NodeJS.ProcessEnv; now?: () => number; interactive?: boolean },
): ExecCredentials {
  const now = options.now ?? Date.now;
  let current: ExecCredential | undefined;
  let pending: Promise<ExecCredential> | undefined;
  return {
    get() {
      if (current && (current.expiresAt === undefined || current.expiresAt > now())) {
        return Promise.resolve(current);
      }
      // Requests sent at once share one run of the plugin.
      pending ??= runPlugin(exec, cluster, options.env, options.interactive ?? false).then(
        (credential) => {
          current = credential;
          pending = undefined;
          return credential;
        },
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    invalidate() {
      current = undefined;
    },
  };
}

async function runPlugin(
  exec: ExecConfig,
  cluster: { server: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean },
  env: NodeJS.ProcessEnv,
  canPrompt: boolean,
): Promise<ExecCredential> {
  const apiVersion = exec.apiVersion ?? "";
  const named = `the credential plugin \`${exec.command}\``;
  if (!API_VERSIONS.includes(apiVersion)) {
    throw new UserError(
      `${named} is configured with apiVersion "${apiVersion}", which kubectl no longer runs`,
      {
        hint: `Use apiVersion ${API_VERSIONS[0]} (or v1beta1) in the kubeconfig's exec section.`,
      },
    );
  }
  if (apiVersion.endsWith("/v1") && exec.interactiveMode === undefined) {
    throw new UserError(`${named}: interactiveMode must be specified for ${apiVersion}`, {
      hint: "Add `interactiveMode: Never` (or IfAvailable) to the kubeconfig's exec section.",
    });
  }
  const mode = exec.interactiveMode ?? "IfAvailable";
  const interactive = mode !== "Never" && canPrompt;
  if (mode === "Always" && !interactive) {
    throw new UserError(`${named} needs an interactive terminal (interactiveMode: Always)`, {
      hint: "Run dray from a terminal, or configure a plugin that can run without one.",
    });
  }
  const spec: Record<string, unknown> = { interactive };
  if (exec.provideClusterInfo) {
    spec["cluster"] = {
      server: cluster.server,
      ...(cluster["certificate-authority-data"]
        ? { "certificate-authority-data": cluster["certificate-authority-data"] }
        : {}),
      ...(cluster["insecure-skip-tls-verify"] ? { "insecure-skip-tls-verify": true } : {}),
    };
  }
  const childEnv: NodeJS.ProcessEnv = { ...env };
  for (const { name, value } of exec.env ?? []) childEnv[name] = value;
  childEnv["KUBERNETES_EXEC_INFO"] = JSON.stringify({ apiVersion, kind: "ExecCredential", spec });
  const stdout = await runCommand(exec, childEnv, interactive, named);
  return parseCredential(stdout, apiVersion, named);
}

function runCommand(
  exec: ExecConfig,
  env: NodeJS.ProcessEnv,
  interactive: boolean,
  named: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, [...(exec.args ?? [])], {
      env,
      stdio: [interactive ? "inherit" : "ignore", "pipe", "inherit"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        new UserError(`cannot run ${named}: ${error.code === "ENOENT" ? "not found" : error.message}`, {
          hint: exec.installHint?.trim() || "Install the plugin the kubeconfig names, or fix its `command`.",
        }),
      );
    });
    child.on("close", (code, signal) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString("utf8"));
      else
        reject(
          new UserError(`${named} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`, {
            hint: "Its own message is above; log in again with the tool it belongs to, then retry.",
          }),
        );
    });
  });
}

function parseCredential(stdout: string, apiVersion: string, named: string): ExecCredential {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    // The output is not shown: it may hold a secret.
    throw new UserError(`${named} printed something that is not an ExecCredential (not JSON)`);
  }
  const doc = (answer ?? {}) as {
    apiVersion?: unknown;
    kind?: unknown;
    status?: {
      token?: unknown;
      clientCertificateData?: unknown;
      clientKeyData?: unknown;
      expirationTimestamp?: unknown;
    };
  };
  if (doc.kind !== "ExecCredential" || doc.apiVersion !== apiVersion) {
    throw new UserError(
      `${named} answered ${String(doc.kind)} ${String(doc.apiVersion)}, not the ExecCredential ${apiVersion} it is configured for`,
    );
  }
  const status = doc.status ?? {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const token = text(status.token);
  const cert = text(status.clientCertificateData);
  const key = text(status.clientKeyData);
  if ((cert === undefined) !== (key === undefined)) {
    throw new UserError(
      `${named} returned a client certificate without its key, or a key without its certificate`,
    );
  }
  if (token === undefined && cert === undefined) {
    throw new UserError(`${named} returned neither a token nor a client certificate`);
  }
  const expiry = text(status.expirationTimestamp);
  const expiresAt = expiry === undefined ? undefined : Date.parse(expiry);
  return {
    ...(token !== undefined ? { token } : {}),
    ...(cert !== undefined && key !== undefined ? { clientCertificateData: cert, clientKeyData: key } : {}),
    ...(expiresAt !== undefined && !Number.isNaN(expiresAt) ? { expiresAt } : {}),
  };
}
