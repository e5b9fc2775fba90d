/**
 * Provenance, `dray status`, `dray history` and `dray rollback` for a kubernetes target through
 * the CLI, against a TEST FAKE API server (test/support/fake-kube-api.ts) with a REAL registry:
 * the Deployment is annotated with the commit, keeps the previous version with the objects dray
 * applied for it, and a rollback re-applies those — twice in a row goes back again.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";
import { type FakeKubeApi, startFakeKubeApi } from "../support/fake-kube-api.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);

interface Deployment {
  metadata: { annotations: Record<string, string> };
  spec: { template: { spec: { containers: { image: string; env?: { name: string; value: string }[] }[] } } };
}

describe("kubernetes target (fake API server, real registry): provenance, history and rollback", () => {
  let registry: TestRegistry;
  let fake: FakeKubeApi;
  let dir: string;
  const commits: string[] = [];
  const images: string[] = [];

  const dray = (...args: string[]) =>
    runDray([...args, "--target", "prod"], { cwd: dir, timeoutMs: 300_000 });
  const git = async (...args: string[]) =>
    (await run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir })).stdout.trim();
  const commit = async (message: string) => {
    await git("add", "-A");
    await git("commit", "-qm", message);
    return git("rev-parse", "HEAD");
  };
  const deployment = () => fake.get("Deployment", "shop", "orders") as unknown as Deployment;
  const running = () => {
    const d = deployment();
    const container = d.spec.template.spec.containers[0]!;
    return {
      imageId: d.metadata.annotations["dray.dev/image-id"],
      commit: d.metadata.annotations["dray.dev/commit"],
      image: container.image,
      v: container.env?.find((e) => e.name === "V")?.value,
    };
  };

  beforeAll(async () => {
    [registry, fake] = await Promise.all([startRegistry(), startFakeKubeApi({ rolloutDelayMs: 100 })]);
    fake.addNamespace("shop");
    dir = await copyExample("dray-kube-history-");
    const kubeconfig = await fake.writeKubeconfig(path.dirname(dir));
    const file = path.join(dir, "dray.yaml");
    const yaml = (await readFile(file, "utf8"))
      .replace(
        "platforms: [linux/amd64, linux/arm64]",
        `platforms: [linux/amd64]\nregistry: ${registry.url}/shop`,
      )
      .replace(
        "  local: { type: docker }",
        `  prod: { type: kubernetes, namespace: shop, kubeconfig: ${kubeconfig}, progressDeadline: 60s }`,
      );
    await writeFile(file, yaml);
    await writeFile(path.join(dir, ".gitignore"), ".dray/\n");
    await git("init", "-q");
    commits.push(await commit("first"));
    const first = await dray("deploy", "orders");
    expect(first.code, first.stderr).toBe(0);
    images.push(running().imageId!);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([registry?.stop(), fake?.close()]);
    if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it("the Deployment carries the commit; status shows it, since when, and that the checkout is what runs", async () => {
    expect(running()).toMatchObject({ imageId: images[0], commit: commits[0], v: undefined });
    expect(deployment().metadata.annotations["dray.dev/dirty"]).toBe("false");
    const result = await dray("status", "orders", "--json");
    expect(result.code, result.stderr).toBe(0);
    const [s] = (JSON.parse(result.stdout) as { services: Record<string, unknown>[] }).services;
    expect(s).toMatchObject({
      imageId: images[0],
      commit: commits[0],
      dirty: false,
      checkout: { kind: "same" },
    });
    expect(Number.isNaN(Date.parse(String(s!["since"])))).toBe(false);
    const none = await dray("rollback", "orders");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("orders has no previous version on target prod");
  }, 300_000);

  it("a second version keeps the first as previous, objects and all, without nesting older ones", async () => {
    const main = path.join(dir, "services", "orders", "main.go");
    await writeFile(main, (await readFile(main, "utf8")).replace("ready to take orders", "v2 ready"));
    const file = path.join(dir, "dray.yaml");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replace(/(orders:[\s\S]*?deploy:\n)/, '$1      env: { V: "2" }\n'),
    );
    commits.push(await commit("second"));
    const deployed = await dray("deploy", "orders");
    expect(deployed.code, deployed.stderr).toBe(0);
    images.push(running().imageId!);
    expect(running()).toMatchObject({ imageId: images[1], commit: commits[1], v: "2" });

    const previous = JSON.parse(deployment().metadata.annotations["dray.dev/previous"]!) as {
      imageId: string;
      commit: string;
      objects: { kind: string; metadata: { annotations?: Record<string, string> } }[];
    };
    expect(previous).toMatchObject({ imageId: images[0], commit: commits[0] });
    const applied = previous.objects.find((o) => o.kind === "Deployment")!;
    expect(applied.metadata.annotations?.["dray.dev/image-id"]).toBe(images[0]);
    expect(applied.metadata.annotations?.["dray.dev/previous"]).toBeUndefined();

    const history = await dray("history", "orders", "--json");
    expect(history.code, history.stderr).toBe(0);
    expect((JSON.parse(history.stdout) as { versions: unknown[] }).versions).toEqual([
      expect.objectContaining({ role: "current", imageId: images[1], commit: commits[1] }),
      expect.objectContaining({ role: "previous", imageId: images[0], commit: commits[0] }),
    ]);
  }, 300_000);

  it("rollback re-applies the previous image and spec and waits for the rollout; twice goes back again", async () => {
    const first = await dray("rollback", "orders", "--json");
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      services: [{ service: "orders", status: "done", from: images[1], to: images[0] }],
    });
    expect(running()).toMatchObject({ imageId: images[0], commit: commits[0], v: undefined });
    const status = await dray("status", "orders", "--json");
    expect(JSON.parse(status.stdout)).toMatchObject({
      services: [{ commit: commits[0], previousImageId: images[1], checkout: { kind: "changes" } }],
    });

    const second = await dray("rollback", "orders");
    expect(second.code, second.stderr).toBe(0);
    expect(running()).toMatchObject({ imageId: images[1], commit: commits[1], v: "2" });
    // The deploy after a rollback sees the checkout's version running: nothing to change.
    const again = await dray("deploy", "orders", "--json");
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { services: { status: string }[] }).services[0]!.status).toBe(
      "unchanged",
    );
  }, 300_000);
});
