/**
 * dray's API client against the TEST FAKE API server (test/support/fake-kube-api.ts): how it
 * identifies itself, signs requests (exec plugins, in-cluster service accounts over TLS), asks
 * for logs and passes on the server's warnings.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubernetesTarget } from "../../../test/support/deploy-fixtures.js";
import { type FakeKubeApi, startFakeKubeApi } from "../../../test/support/fake-kube-api.js";
import { selfSignedCertificate } from "../../../test/support/tls.js";
import { UserError } from "../../errors/errors.js";
import { DRAY_VERSION } from "../../io/index.js";
import { createKubeApi } from "./kube-api.js";

const target = kubernetesTarget;

/** A credential plugin (a Node script) that logs each run and prints a token numbered by run. */
const PLUGIN = `
const fs = require("node:fs");
const runs = process.env.PLUGIN_RUNS;
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
fs.appendFileSync(runs, JSON.stringify(info) + "\\n");
const n = fs.readFileSync(runs, "utf8").trim().split("\\n").length;
const version = process.env.ANSWER_VERSION || info.apiVersion;
process.stdout.write(JSON.stringify({ apiVersion: version, kind: "ExecCredential",
  status: { token: "exec-token-" + n, expirationTimestamp: new Date(Date.now() + Number(process.env.TTL_MS)).toISOString() } }));
`;

describe("the Kubernetes API client against the fake API server", () => {
  let fake: FakeKubeApi;
  let dir: string;
  beforeEach(async () => {
    fake = await startFakeKubeApi();
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-kube-api-"));
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends User-Agent dray/VERSION on every request", async () => {
    const api = await createKubeApi(target({ kubeconfig: await fake.writeKubeconfig(dir) }));
    await api.request("GET", "/api/v1/namespaces/default");
    await api.send("GET", "/api/v1");
    expect(fake.requests.map((r) => r.userAgent)).toEqual([`dray/${DRAY_VERSION}`, `dray/${DRAY_VERSION}`]);
  });

  it("asks for logs with an Accept the server serves (text/plain alone gets 406)", async () => {
    const api = await createKubeApi(target({ kubeconfig: await fake.writeKubeconfig(dir) }));
    const plain = await api.send("GET", "/api/v1/namespaces/default/pods/nope/log", { accept: "text/plain" });
    expect(plain.status).toBe(406);
    const error = await api.text("/api/v1/namespaces/default/pods/nope/log").catch((e: unknown) => e);
    // Past negotiation: the pod is missing, which is what the answer now says.
    expect((error as Error).message).toContain('pods "nope" not found');
    expect(fake.requests.at(-1)?.accept).toBe("*/*");
  });

  it("passes each Warning header of an answer to onWarning with the request it came with", async () => {
    fake.addNamespace("shop", { "pod-security.kubernetes.io/warn": "restricted" });
    const warnings: string[] = [];
    const api = await createKubeApi(target({ kubeconfig: await fake.writeKubeconfig(dir) }), {
      onWarning: (text, request) => warnings.push(`${request}: ${text}`),
    });
    await api.request("PATCH", "/apis/apps/v1/namespaces/shop/deployments/api", {
      query: { fieldManager: "dray" },
      contentType: "application/apply-patch+yaml",
      body: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api" },
        spec: { template: { spec: { containers: [{ name: "api", image: "x" }] } } },
      },
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^patch deployments api in namespace shop: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "api" must set/,
    );
  });

  it("runs an exec credential plugin as kubectl does: KUBERNETES_EXEC_INFO in, the token reused until it expires", async () => {
    const script = path.join(dir, "plugin.cjs");
    const runs = path.join(dir, "runs.log");
    await writeFile(script, PLUGIN);
    const kubeconfig = path.join(dir, "kubeconfig");
    const user = (ttl: number) => ({
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command: process.execPath,
        args: [script],
        env: [
          { name: "PLUGIN_RUNS", value: runs },
          { name: "TTL_MS", value: String(ttl) },
        ],
        interactiveMode: "Never",
        provideClusterInfo: true,
      },
    });
    const write = (ttl: number) =>
      writeFile(
        kubeconfig,
        JSON.stringify({
          clusters: [{ name: "c", cluster: { server: fake.url, "insecure-skip-tls-verify": true } }],
          users: [{ name: "u", user: user(ttl) }],
          contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
          "current-context": "x",
        }),
      );
    await write(3_600_000);
    const api = await createKubeApi(target({ kubeconfig }));
    await api.request("GET", "/api/v1/namespaces/default");
    await api.request("GET", "/api/v1/namespaces/default");
    expect(fake.requests.map((r) => r.authorization)).toEqual(["Bearer exec-token-1", "Bearer exec-token-1"]);
    const info = JSON.parse((await readFile(runs, "utf8")).trim()) as Record<string, unknown>;
    expect(info).toEqual({
      apiVersion: "client.authentication.k8s.io/v1",
      kind: "ExecCredential",
      spec: { interactive: false, cluster: { server: fake.url, "insecure-skip-tls-verify": true } },
    });

    // An expired credential is asked for again.
    await write(-1000);
    const expiring = await createKubeApi(target({ kubeconfig }));
    await expiring.request("GET", "/api/v1/namespaces/default");
    await expiring.request("GET", "/api/v1/namespaces/default");
    expect(fake.requests.slice(2).map((r) => r.authorization)).toEqual([
      "Bearer exec-token-2",
      "Bearer exec-token-3",
    ]);
  });

  it("refuses a plugin's answer of another apiVersion without showing what it printed", async () => {
    const script = path.join(dir, "plugin.cjs");
    await writeFile(script, PLUGIN);
    const kubeconfig = path.join(dir, "kubeconfig");
    await writeFile(
      kubeconfig,
      JSON.stringify({
        clusters: [{ name: "c", cluster: { server: fake.url, "insecure-skip-tls-verify": true } }],
        users: [
          {
            name: "u",
            user: {
              exec: {
                apiVersion: "client.authentication.k8s.io/v1",
                command: process.execPath,
                args: [script],
                env: [
                  { name: "PLUGIN_RUNS", value: path.join(dir, "runs.log") },
                  { name: "TTL_MS", value: "60000" },
                  { name: "ANSWER_VERSION", value: "client.authentication.k8s.io/v1beta1" },
                ],
                interactiveMode: "Never",
              },
            },
          },
        ],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    );
    const api = await createKubeApi(target({ kubeconfig }));
    const error = await api.request("GET", "/version").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain("not the ExecCredential client.authentication.k8s.io/v1");
    expect((error as UserError).message).not.toContain("exec-token");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("in-cluster credentials against the fake API server over TLS", () => {
  let fake: FakeKubeApi;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-in-cluster-"));
    const tls = await selfSignedCertificate(dir);
    fake = await startFakeKubeApi({ tls });
    const account = path.join(dir, "serviceaccount");
    await mkdir(account);
    await writeFile(path.join(account, "token"), "sa-token\n");
    await writeFile(path.join(account, "ca.crt"), tls.cert);
  });
  afterEach(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("talks https to KUBERNETES_SERVICE_HOST:PORT, trusting the account's CA and sending its token", async () => {
    const port = new URL(fake.url).port;
    const api = await createKubeApi(target(), {
      env: {
        HOME: path.join(dir, "home"),
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        KUBERNETES_SERVICE_PORT: port,
      },
      serviceAccountDir: path.join(dir, "serviceaccount"),
    });
    expect(api.source.context).toBe("in-cluster");
    expect(await api.request("GET", "/version")).toMatchObject({ major: "1" });
    expect(fake.requests[0]?.authorization).toBe("Bearer sa-token");
  });
});
