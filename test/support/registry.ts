/**
 * Real registries for the tests: Debian's `docker-registry` (CNCF distribution 2.8) on 127.0.0.1 with a
 * config written here, optionally behind htpasswd, TLS (a throwaway CA) or token auth. Plus a token
 * endpoint that is a TEST FAKE (see startTokenServer).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createPrivateKey, randomBytes, sign, X509Certificate } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Token auth settings for the registry, as a test token server provides them. */
export interface RegistryTokenAuth {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
}

/** A running registry. */
export interface TestRegistry {
  /** "127.0.0.1:PORT". */
  url: string;
  /** PEM of the CA that signed the registry's certificate (TLS only). */
  caFile?: string;
  /** Temp dir with config, storage, certificates and `registry.log`. */
  root: string;
  stop(): Promise<void>;
}

/** A port the kernel just handed out on loopback; closed again for the registry to bind. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `/usr/bin/docker-registry serve` and waits (at most 20 s) until `GET /v2/` answers. */
export async function startRegistry(
  options: { auth?: { user: string; password: string }; tls?: boolean; token?: RegistryTokenAuth } = {},
): Promise<TestRegistry> {
  const root = await mkdtemp(path.join(os.tmpdir(), "dray-registry-"));
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(root, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString("hex")}`,
  ];
  let caFile: string | undefined;
  if (options.tls) {
    const tls = await makeServerCertificate(root);
    caFile = tls.caFile;
    lines.push("  tls:", `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`);
  }
  if (options.auth) {
    const { stdout } = await run("htpasswd", ["-Bbn", options.auth.user, options.auth.password]);
    await writeFile(path.join(root, "htpasswd"), stdout);
    lines.push("auth:", "  htpasswd:", "    realm: dray-test", `    path: ${path.join(root, "htpasswd")}`);
  } else if (options.token) {
    const t = options.token;
    lines.push("auth:", "  token:", `    realm: ${t.realm}`, `    service: ${t.service}`);
    lines.push(`    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certFile}`);
  }
  const config = path.join(root, "config.yml");
  await writeFile(config, `${lines.join("\n")}\n`);
  // REGISTRY_* variables override the config file (REGISTRY_AUTH_FILE would even switch auth on): drop them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("REGISTRY_")));
  const log = openSync(path.join(root, "registry.log"), "w");
  const child = spawn("/usr/bin/docker-registry", ["serve", config], { env, stdio: ["ignore", log, log] });
  closeSync(log);
  const url = `127.0.0.1:${port}`;
  const stop = async () => {
    await killChild(child);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(url, child, caFile);
  } catch (error) {
    const text = await readFile(path.join(root, "registry.log"), "utf8").catch(() => "");
    await stop();
    throw new Error(`docker-registry did not start: ${(error as Error).message}\n${text}`);
  }
  return { url, ...(caFile ? { caFile } : {}), root, stop };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilServing(url: string, child: ChildProcess, caFile: string | undefined): Promise<void> {
  const ca = caFile ? await readFile(caFile) : undefined;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    const status = await new Promise<number>((resolve) => {
      const get = ca ? https.get : http.get;
      const req = get(
        `${ca ? "https" : "http"}://${url}/v2/`,
        { ...(ca ? { ca } : {}), timeout: 1000 },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", () => resolve(0));
      req.on("timeout", () => req.destroy());
    });
    // 401 counts: with auth on, an anonymous ping is refused, but the server is up.
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("GET /v2/ did not answer within 20 s");
}

/** A throwaway CA and a server certificate for 127.0.0.1 (IP SAN) and localhost, made with openssl. */
async function makeServerCertificate(
  root: string,
): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const p = (name: string) => path.join(root, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run(
    "openssl",
    ["req", "-x509", ...ec, "-keyout", p("ca.key"), "-out", p("ca.pem"), "-days", "2"].concat([
      "-subj",
      "/CN=dray test CA",
    ]),
  );
  await run("openssl", [
    "req",
    ...ec,
    "-keyout",
    p("server.key"),
    "-out",
    p("server.csr"),
    "-subj",
    "/CN=127.0.0.1",
  ]);
  await writeFile(
    p("server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await run(
    "openssl",
    ["x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key")].concat([
      "-CAcreateserial",
      "-out",
      p("server.pem"),
      "-days",
      "2",
      "-extfile",
      p("server.ext"),
    ]),
  );
  return { caFile: p("ca.pem"), certFile: p("server.pem"), keyFile: p("server.key") };
}

/** A token server as the registry sees it, plus what the tests inspect. */
export interface TestTokenServer extends RegistryTokenAuth {
  /** Tokens issued so far, to check that clients cache them. */
  issued: { account: string; scopes: string[] }[];
  stop(): Promise<void>;
}

/**
 * TEST FAKE: a token endpoint written for these tests, not a real authorization service. It implements just
 * enough of https://distribution.github.io/distribution/spec/auth/token/ for distribution 2.8 to accept its
 * tokens: ES256 JWTs with `iss`, `aud`, `exp`, `nbf` and `access` claims, whose `x5c` header carries a
 * self-signed certificate that is also the registry's `rootcertbundle`. GET with Basic auth (user/password),
 * or POST with `grant_type=refresh_token` (an identity token), is granted every scope asked for; a request
 * without credentials gets a token with no access; wrong credentials get 401.
 */
export async function startTokenServer(options: {
  user: string;
  password: string;
  refreshToken?: string;
  expiresIn?: number;
}): Promise<TestTokenServer> {
  const root = await mkdtemp(path.join(os.tmpdir(), "dray-token-"));
  const keyFile = path.join(root, "signer.key");
  const certFile = path.join(root, "signer.pem");
  await run(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=dray test token signer",
    ]),
  );
  const key = createPrivateKey(await readFile(keyFile));
  const x5c = [new X509Certificate(await readFile(certFile)).raw.toString("base64")];
  const service = "dray-test-registry";
  const issuer = "dray-test-token-fake";
  const issued: TestTokenServer["issued"] = [];
  const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
  const jwt = (account: string, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.map((scope) => {
      const [type, ...rest] = scope.split(":");
      const actions = rest.pop()?.split(",") ?? [];
      return { type, name: rest.join(":"), actions };
    });
    const header = b64url(JSON.stringify({ typ: "JWT", alg: "ES256", x5c }));
    const claims = {
      iss: issuer,
      sub: account,
      aud: service,
      exp: now + (options.expiresIn ?? 300),
      nbf: now - 5,
    };
    const body = b64url(JSON.stringify({ ...claims, iat: now, jti: randomBytes(8).toString("hex"), access }));
    // JWS ES256 signatures are r‖s (IEEE P1363), not DER.
    const signature = sign("sha256", Buffer.from(`${header}.${body}`), { key, dsaEncoding: "ieee-p1363" });
    return `${header}.${body}.${b64url(signature)}`;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      let account: string | undefined;
      let scopes = url.searchParams.getAll("scope");
      if (req.method === "POST") {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
        const ok = options.refreshToken !== undefined && form.get("refresh_token") === options.refreshToken;
        account = ok ? options.user : undefined;
        if (!ok) return reply(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "bad refresh token" }] });
      } else if (req.headers.authorization) {
        const [user, password] = Buffer.from(req.headers.authorization.replace(/^Basic /, ""), "base64")
          .toString()
          .split(":");
        if (user !== options.user || password !== options.password) {
          return reply(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "wrong user or password" }] });
        }
        account = user;
      }
      const granted = account ? scopes : [];
      issued.push({ account: account ?? "", scopes: granted });
      const token = jwt(account ?? "", granted);
      reply(res, 200, { token, access_token: token, expires_in: options.expiresIn ?? 300 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    issued,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
