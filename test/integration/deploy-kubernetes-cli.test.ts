/**
 * `dray render` and `dray deploy --target` for a kubernetes target, end to end through the CLI:
 * images pushed to a REAL registry, manifests checked against the Kubernetes OpenAPI schema, and
 * the apply/rollout calls sent to a FAKE Kubernetes API server (test/support/fake-kube-api.ts) —
 * no real API server can run on these machines.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { Deployment } from "kubernetes-models/apps/v1";
import { Service } from "kubernetes-models/v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { copyExample, runDray } from "../support/dray.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);

describe("dray render and dray deploy to a kubernetes target (fake API server, real registry)", () => {
  let dir: string;
  let registry: TestRegistry;
  let fake: FakeKubeApi;

  beforeAll(async () => {
    [registry, fake] = await Promise.all([startRegistry(), startFakeKubeApi({ rolloutDelayMs: 50 })]);
    dir = await copyExample("dray-kube-");
    const kubeconfig = await fake.writeKubeconfig(dir);
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace(
        "platforms: [linux/amd64, linux/arm64]",
        `platforms: [linux/amd64]\nregistry: ${registry.url}/shop`,
      )
      .replace(
        "  local: { type: docker }",
        `  prod: { type: kubernetes, namespace: shop, kubeconfig: ${path.basename(kubeconfig)}, progressDeadline: 20s }`,
      );
    await writeFile(file, yaml);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([registry?.stop(), fake?.close()]);
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it("dray render writes manifests that validate against the Kubernetes schema, images pinned by digest in the registry", async () => {
    const result = await runDray(["render"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const objects = parseAllDocuments(result.stdout).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    const deployments = objects.filter((o) => o.kind === "Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["api", "orders", "users"]);
    for (const object of objects) {
      const model =
        object.kind === "Deployment" ? new Deployment(object as never) : new Service(object as never);
      expect(() => model.validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
    const images = result.stdout.match(/image: \S+/g) ?? [];
    expect(images).toHaveLength(3);
    for (const image of images)
      expect(image).toMatch(new RegExp(`^image: ${registry.url}/shop/\\w+@sha256:[0-9a-f]{64}$`));
    // Rendering pushed the images: the registry serves the manifest each reference names.
    const reference = images[0]!.slice("image: ".length);
    const [repo, digest] = reference.slice(registry.url.length + 1).split("@");
    const res = await fetch(`http://${registry.url}/v2/${repo}/manifests/${digest}`, {
      method: "HEAD",
      headers: {
        accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json",
      },
    });
    expect(res.status).toBe(200);
    // Nothing was applied: render is for GitOps.
    expect(fake.list("Deployment")).toEqual([]);
  }, 300_000);

  it("deploys with server-side apply, then a second deploy changes nothing, then one change replaces one service", async () => {
    const first = await runDray(["deploy", "--target", "prod", "--json"], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout) as {
      services: { service: string; action: string; status: string }[];
    };
    expect(created.services.map((s) => [s.service, s.action, s.status])).toEqual([
      ["api", "create", "done"],
      ["orders", "create", "done"],
      ["users", "create", "done"],
    ]);
    const api = fake.get("Deployment", "shop", "api") as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(api.spec.template.spec.containers[0]!.image).toMatch(
      new RegExp(`^${registry.url}/shop/api@sha256:`),
    );
    const applies = fake.requests.filter((r) => r.method === "PATCH");
    expect(applies.length).toBeGreaterThan(0);
    for (const r of applies) {
      expect(r.contentType).toBe("application/apply-patch+yaml");
      expect(r.fieldManager).toBe("dray");
    }

    const writesBefore = fake.requests.filter((r) => r.method !== "GET").length;
    const second = await runDray(["deploy", "--target", "prod"], { cwd: dir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 changed, 3 unchanged/);
    expect(fake.requests.filter((r) => r.method !== "GET").length).toBe(writesBefore);

    const main = path.join(dir, "services", "users", "main.go");
    const source = await readFile(main, "utf8");
    await writeFile(main, source.replace('"users: ', '"users v2: '));
    const third = await runDray(["deploy", "--target", "prod", "--json"], { cwd: dir });
    expect(third.code, third.stderr).toBe(0);
    const changed = JSON.parse(third.stdout) as { services: { service: string; action: string }[] };
    expect(changed.services.filter((s) => s.action !== "keep").map((s) => s.service)).toEqual(["users"]);
  }, 300_000);
  it("render, deploy and push name one pushed image: the distribution form, dray's layers gzipped", async () => {
    const rendered = await runDray(["render", "--no-push"], { cwd: dir });
    expect(rendered.code, rendered.stderr).toBe(0);
    const pushed = await runDray(["push", "--json"], { cwd: dir });
    expect(pushed.code, pushed.stderr).toBe(0);
    const push = JSON.parse(pushed.stdout) as { push: { service: string; reference: string }[] };
    for (const name of ["api", "orders", "users"]) {
      const reference = push.push.find((p) => p.service === name)!.reference;
      expect(rendered.stdout, name).toContain(`image: ${reference}\n`);
      const deployed = fake.get("Deployment", "shop", name) as unknown as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      expect(deployed.spec.template.spec.containers[0]!.image, name).toBe(reference);
      const digest = reference.slice(reference.indexOf("@") + 1);
      const res = await fetch(`http://${registry.url}/v2/shop/${name}/manifests/${digest}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      expect(res.status, name).toBe(200);
      const manifest = (await res.json()) as { layers: { mediaType: string }[] };
      expect(
        manifest.layers.map((l) => l.mediaType),
        name,
      ).not.toContain("application/vnd.oci.image.layer.v1.tar");
    }
  }, 300_000);
});

describe("rendered Kubernetes manifests run under podman kube play", () => {
  let dir: string;
  let registry: TestRegistry;
  let rendered: string;

  beforeAll(async () => {
    registry = await startRegistry();
    dir = await copyExample("dray-podman-");
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace(
        "platforms: [linux/amd64, linux/arm64]",
        `platforms: [linux/amd64]\nregistry: ${registry.url}/shop`,
      )
      .replace("  local: { type: docker }", "  prod: { type: kubernetes, namespace: shop }");
    await writeFile(file, yaml);
    rendered = path.join(dir, "k8s.yaml");
  }, 60_000);

  afterAll(async () => {
    await run("podman", ["kube", "down", rendered]).catch(() => undefined);
    await registry?.stop();
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  }, 60_000);

  it("every Deployment starts from its pinned image, runs as the image's user and answers HTTP", async () => {
    const result = await runDray(["render", "-o", "k8s.yaml"], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    // podman kube play publishes every containerPort on the host (0.0.0.0, the same port for every
    // pod); pinning each to a free loopback port keeps the test on 127.0.0.1 and the pods apart.
    const documents = parseAllDocuments(await readFile(rendered, "utf8"));
    const ports: Record<string, number> = {};
    for (const doc of documents) {
      const object = doc.toJS() as { kind: string; metadata: { name: string } };
      if (object.kind !== "Deployment") continue;
      ports[object.metadata.name] = await freePort();
      const containerPorts = doc.getIn(["spec", "template", "spec", "containers", 0, "ports"]) as {
        items: { set(key: string, value: unknown): void }[];
      };
      containerPorts.items[0]!.set("hostIP", "127.0.0.1");
      containerPorts.items[0]!.set("hostPort", ports[object.metadata.name]);
    }
    await writeFile(rendered, documents.map((d) => d.toString()).join("---\n"));
    await run("podman", ["kube", "play", "--tls-verify=false", rendered], { timeout: 120_000 });
    expect(Object.keys(ports).sort()).toEqual(["api", "orders", "users"]);
    for (const [service, port] of Object.entries(ports)) {
      let answer = "";
      for (let attempt = 0; attempt < 50 && !answer.startsWith("200"); attempt++) {
        answer = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
          .then(async (res) => `${res.status} ${await res.text()}`)
          .catch(() => "");
        if (!answer.startsWith("200")) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer, service).toMatch(new RegExp(`^200 ${service}: `));
    }
    const { stdout } = await run("podman", ["inspect", "--format", "{{.Config.User}}", "api-pod-0-api"]);
    expect(stdout.trim()).toBe("65532:65532");
  }, 300_000);
});
