import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { kubernetesTarget } from "../../../test/support/deploy-fixtures.js";
import { UserError } from "../../errors/errors.js";
import { resolveClusterAccess } from "./cluster-access.js";
import { mergeKubeconfigs, parseKubeconfig } from "./kubeconfig-merge.js";

const target = kubernetesTarget;

/** A kubeconfig with one context per entry: name → server; `current` sets current-context. */
function kubeconfig(
  contexts: Record<string, string>,
  current?: string,
  user: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: Object.entries(contexts).map(([name, server]) => ({ name, cluster: { server } })),
    users: Object.keys(contexts).map((name) => ({ name, user: { token: `${name}-token`, ...user } })),
    contexts: Object.keys(contexts).map((name) => ({ name, context: { cluster: name, user: name } })),
    ...(current ? { "current-context": current } : {}),
  });
}

const hasKubectl = (() => {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("kubeconfig resolution as kubectl does it", () => {
  let dir: string;
  let home: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "dray-kubeconfig-"));
    home = path.join(dir, "home");
    await mkdir(path.join(home, ".kube"), { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("merges KUBECONFIG files: the first file to define a name or current-context wins, missing files are skipped", async () => {
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    await writeFile(a, kubeconfig({ shared: "https://a.test", onlyA: "https://only-a.test" }));
    await writeFile(b, kubeconfig({ shared: "https://b.test", onlyB: "https://only-b.test" }, "onlyB"));
    const env = { HOME: home, KUBECONFIG: [a, path.join(dir, "missing.yaml"), b].join(path.delimiter) };

    const current = await resolveClusterAccess(target(), { env });
    expect(current.source).toMatchObject({ server: "https://only-b.test", context: "onlyB" });
    const shared = await resolveClusterAccess(target({ context: "shared" }), { env });
    expect(shared.cluster.server).toBe("https://a.test");
    expect(shared.user.token).toBe("shared-token");
  });

  it.skipIf(!hasKubectl)(
    "picks the same server as `kubectl config view --minify` for the same KUBECONFIG",
    async () => {
      const a = path.join(dir, "a.yaml");
      const b = path.join(dir, "b.yaml");
      await writeFile(a, kubeconfig({ shared: "https://a.test" }, "shared"));
      await writeFile(b, kubeconfig({ shared: "https://b.test", other: "https://o.test" }, "other"));
      const env = { HOME: home, PATH: process.env["PATH"], KUBECONFIG: [a, b].join(path.delimiter) };
      const viewed = JSON.parse(
        execFileSync("kubectl", ["config", "view", "--minify", "-o", "json"], { env, encoding: "utf8" }),
      ) as { clusters: { cluster: { server: string } }[]; "current-context": string };
      const ours = await resolveClusterAccess(target(), { env });
      expect(ours.source.server).toBe(viewed.clusters[0]!.cluster.server);
      expect(ours.source.context).toBe(viewed["current-context"]);
    },
  );

  it("takes an absolute kubeconfig and one under ~ as written, and reads ~/.kube/config by default", async () => {
    await writeFile(path.join(home, ".kube", "config"), kubeconfig({ home: "https://home.test" }, "home"));
    const elsewhere = path.join(dir, "elsewhere.yaml");
    await writeFile(elsewhere, kubeconfig({ far: "https://far.test" }, "far"));
    const env = { HOME: home };
    expect((await resolveClusterAccess(target(), { env })).source.server).toBe("https://home.test");
    expect(
      (await resolveClusterAccess(target({ kubeconfig: "~/.kube/config" }), { env })).source.server,
    ).toBe("https://home.test");
    expect((await resolveClusterAccess(target({ kubeconfig: elsewhere }), { env })).source.server).toBe(
      "https://far.test",
    );
  });

  it("resolves a file's relative certificate, token file and plugin paths against that file's folder", () => {
    const parsed = parseKubeconfig(
      JSON.stringify({
        clusters: [{ name: "c", cluster: { server: "https://x", "certificate-authority": "ca.crt" } }],
        users: [
          {
            name: "u",
            user: {
              "client-certificate": "certs/me.crt",
              tokenFile: "/abs/token",
              exec: { command: "./bin/login", apiVersion: "client.authentication.k8s.io/v1" },
            },
          },
          { name: "path", user: { exec: { command: "gke-gcloud-auth-plugin" } } },
        ],
      }),
      "k",
      "/etc/kube",
    );
    expect(parsed.clusters.get("c")?.["certificate-authority"]).toBe("/etc/kube/ca.crt");
    expect(parsed.users.get("u")).toMatchObject({
      "client-certificate": "/etc/kube/certs/me.crt",
      tokenFile: "/abs/token",
      exec: { command: "/etc/kube/bin/login" },
    });
    // A bare command is looked up in PATH, as kubectl does.
    expect(parsed.users.get("path")?.exec?.command).toBe("gke-gcloud-auth-plugin");
  });

  it("keeps the whole first definition of a name, not a field-by-field mix", () => {
    const first = parseKubeconfig(
      JSON.stringify({ users: [{ name: "u", user: { token: "one" } }] }),
      "1",
      "/",
    );
    const second = parseKubeconfig(
      JSON.stringify({ users: [{ name: "u", user: { token: "two", username: "admin" } }] }),
      "2",
      "/",
    );
    expect(mergeKubeconfigs([first, second]).users.get("u")).toEqual({ token: "one" });
  });

  it("uses the pod's service account when no kubeconfig exists (in-cluster), and says so when there is neither", async () => {
    const account = path.join(dir, "serviceaccount");
    await mkdir(account);
    await writeFile(path.join(account, "token"), "sa-token\n");
    await writeFile(path.join(account, "ca.crt"), "pem");
    const env = { HOME: home, KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const access = await resolveClusterAccess(target(), { env, serviceAccountDir: account });
    expect(access.source).toMatchObject({ server: "https://10.96.0.1:443", context: "in-cluster" });
    expect(access.user).toEqual({ tokenFile: path.join(account, "token") });
    expect(access.cluster["certificate-authority"]).toBe(path.join(account, "ca.crt"));

    const nowhere = await resolveClusterAccess(target(), {
      env: { HOME: home },
      serviceAccountDir: account,
    }).catch((e: unknown) => e);
    expect(nowhere).toBeInstanceOf(UserError);
    expect((nowhere as UserError).message).toContain("no kubeconfig for the kubernetes target");
  });

  it("an explicit kubeconfig that does not exist, or a context it lacks, is a UserError naming it", async () => {
    const missing = await resolveClusterAccess(target({ kubeconfig: path.join(dir, "nope") }), {
      env: { HOME: home },
    }).catch((e: unknown) => e);
    expect((missing as UserError).message).toBe(`the kubeconfig ${path.join(dir, "nope")} does not exist`);
    const file = path.join(dir, "k.yaml");
    await writeFile(file, kubeconfig({ one: "https://one.test" }, "one"));
    const wrong = await resolveClusterAccess(target({ kubeconfig: file, context: "two" }), {
      env: { HOME: home },
    }).catch((e: unknown) => e);
    expect((wrong as UserError).message).toBe(`no context "two" in ${file}`);
    expect((wrong as UserError).hint).toContain("Contexts there: one");
  });
});
