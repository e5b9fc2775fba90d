/**
 * `dray deploy`, `dray status` and `dray rbac` for a kubernetes target through the CLI, from two
 * separate checkouts deploying to one TEST FAKE API server (test/support/fake-kube-api.ts) with a
 * REAL registry: the deploy Lease every deployer sees, and drift made with kubectl.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyExample, type RunResult, runDray } from "../support/dray.js";
import { kubectlScale } from "../support/fake-kube/kubectl.js";
import { type FakeKubeApi, type RecordedRequest, startFakeKubeApi } from "../support/fake-kube-api.js";
import { startRegistry, type TestRegistry } from "../support/registry.js";

/** Rollouts take this long on the fake, so that a deploy holds the lock long enough to be met. */
const ROLLOUT_MS = 8000;

describe("two checkouts deploying to one kubernetes target (fake API server, real registry)", () => {
  let registry: TestRegistry;
  let fake: FakeKubeApi;
  let a: string;
  let b: string;

  /** A checkout whose dray.yaml names the fake by an absolute kubeconfig path, signed with its own token. */
  const checkout = async (token: string): Promise<string> => {
    const dir = await copyExample(`dray-kube-${token}-`);
    const kubeconfig = await fake.writeKubeconfig(path.dirname(dir), { token });
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
    return dir;
  };
  const edit = async (dir: string, service: string, text: string) => {
    const main = path.join(dir, "services", service, "main.go");
    await writeFile(main, (await readFile(main, "utf8")).replace(`"${service}: `, `"${service} ${text}: `));
  };
  const by = (token: string) => (r: RecordedRequest) => r.authorization === `Bearer ${token}`;
  const isWrite = (r: RecordedRequest) => r.method !== "GET" && !r.path.endsWith("/selfsubjectaccessreviews");
  const holder = () =>
    (fake.get("Lease", "shop", "dray-deploy-shop")?.["spec"] as { holderIdentity?: string } | undefined)
      ?.holderIdentity;
  /** Waits until `deploying` holds the lease (or ended); returns the holder it saw. */
  const heldBy = async (deploying: Promise<RunResult>): Promise<string> => {
    let ended = false;
    void deploying.then(() => {
      ended = true;
    });
    for (;;) {
      const now = holder();
      if (now) return now;
      if (ended) throw new Error(`the deploy ended before it took the lock: ${(await deploying).stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    [registry, fake] = await Promise.all([startRegistry(), startFakeKubeApi({ rolloutDelayMs: ROLLOUT_MS })]);
    [a, b] = await Promise.all([checkout("token-a"), checkout("token-b")]);
    // B differs from A, so that it always has something to change; its images are built ahead, so
    // that its deploy reaches the lock while A's rollouts are still running.
    await edit(b, "users", "from b");
    const built = await runDray(["build"], { cwd: b });
    expect(built.code, built.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([registry?.stop(), fake?.close()]);
    for (const dir of [a, b]) if (dir) await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it("a second deploy while the first holds the Lease fails naming it and writes nothing", async () => {
    const first = runDray(["deploy", "--target", "prod"], { cwd: a });
    const holding = await heldBy(first);
    expect(holding).toMatch(/^\S+@\S+ pid \d+$/);
    const second = await runDray(["deploy", "--target", "prod"], { cwd: b });
    expect(second.code, second.stderr).toBe(1);
    const [who, , pid] = holding.split(" ");
    expect(second.stderr).toContain(
      `another deploy to target prod is running: ${who} (pid ${pid}, \`dray deploy --target prod\`, since `,
    );
    expect(second.stderr).toContain(`Lease dray-deploy-shop in namespace shop on ${fake.url}`);
    expect(fake.requests.filter(by("token-b")).filter(isWrite)).toEqual([]);
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/3 changed, 0 unchanged/);
  }, 600_000);

  it("with --lock-wait the second deploy queues and writes only after the first has finished", async () => {
    await edit(a, "orders", "from a");
    const first = runDray(["deploy", "--target", "prod"], { cwd: a });
    await heldBy(first);
    const second = await runDray(["deploy", "--target", "prod", "--lock-wait", "5m"], { cwd: b });
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/waiting for the deploy lock of target prod, held by \S+@\S+ \(pid \d+, /);
    const lastOfA = Math.max(...fake.requests.flatMap((r, i) => (by("token-a")(r) && isWrite(r) ? [i] : [])));
    const firstOfB = fake.requests.findIndex((r) => by("token-b")(r) && isWrite(r));
    expect(firstOfB).toBeGreaterThan(lastOfA);
    // B read the live state again under the lock, so it saw what A had just deployed.
    expect(second.stdout).toMatch(/orders +replaced/);
    expect(holder()).toBeUndefined();
  }, 600_000);

  it("dray status shows drift made with kubectl without writing; dray deploy reports and corrects it", async () => {
    await kubectlScale(fake.url, "shop", "api", 3);
    const before = fake.requests.length;
    const status = await runDray(["status", "--target", "prod"], { cwd: b });
    expect(status.code, status.stderr).toBe(0);
    // Scaled up, it is "not running" until the new replicas are available.
    expect(status.stdout).toMatch(/api +(not )?running +\w{12} +replicas 1 → 3 \(changed by kubectl\)/);
    expect(status.stdout).toContain("target prod (kubernetes): 3 deployed, 1 drifted");
    expect(fake.requests.slice(before).filter(isWrite)).toEqual([]);

    const deploy = await runDray(["deploy", "--target", "prod"], { cwd: b });
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toMatch(
      /api +replaced +(not running, )?drifted: replicas 1 → 3 \(changed by kubectl\)/,
    );
    expect(deploy.stdout).toMatch(/1 changed, 2 unchanged/);
    expect((fake.get("Deployment", "shop", "api")?.["spec"] as { replicas: number }).replicas).toBe(1);
    const after = await runDray(["status", "--target", "prod", "--json"], { cwd: b });
    const json = JSON.parse(after.stdout) as { services: { service: string; drift: { text: string }[] }[] };
    expect(json.services.map((s) => [s.service, s.drift])).toEqual([
      ["api", []],
      ["orders", []],
      ["users", []],
    ]);
  }, 600_000);

  it("dray rbac prints the Role and RoleBinding a deploy needs", async () => {
    const rbac = await runDray(["rbac", "--service-account", "ci/deployer"], { cwd: a });
    expect(rbac.code, rbac.stderr).toBe(0);
    expect(rbac.stdout).toContain("kind: Role\n");
    expect(rbac.stdout).toContain("kind: RoleBinding\n");
    expect(rbac.stdout).toMatch(
      /subjects:\n {2}- kind: ServiceAccount\n {4}name: deployer\n {4}namespace: ci/,
    );
  }, 60_000);
});
