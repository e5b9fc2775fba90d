/**
 * A corrupted (one byte flipped, size unchanged) or deleted layer blob in `.dray/oci/blobs`, then a
 * command that reads it. Never a wrong image accepted silently: either dray repairs it (the command
 * exits 0 and the layout is consistent again) or it fails naming the blob; it never exits 0 having
 * pushed or loaded a wrong image, and never with a stack trace. The layer, the byte and its new value
 * come from a fixed seed per case.
 *
 * A plain (cached) `dray build` checks a cache hit cheaply — every blob there, of the right size — so
 * it must notice a deleted blob; a flipped byte is found by `--no-cache`, `verify`, `push` and `deploy`.
 */
import { execFile } from "node:child_process";
import { appendFile, cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkProjectState } from "../../support/consistency.js";
import { checkEngine, checkRegistry, registryTagImageIds } from "../../support/consistency-remote.js";
import { copyExample, digestsOf, runDray } from "../../support/dray.js";
import { removeProject, removeProjectImages } from "../../support/engine-project.js";
import { tagImages } from "../../support/layout-files.js";
import { prng } from "../../support/prng.js";
import { freePort, startRegistry, type TestRegistry } from "../../support/registry.js";

const run = promisify(execFile);
const SEED = 2601;
const project = `fc${process.pid}`;

type Fault = "flip" | "delete";
interface Case {
  fault: Fault;
  service: string;
  args: string[];
  /** Checked when the command exits 0: what it produced outside the layout is right. */
  outcome?: (root: string) => Promise<string[]>;
}

let registry: TestRegistry | undefined;

const pushed = async (root: string) => {
  const problems = await checkRegistry(registry!.url);
  // The registry's tag names the images the layout's tag names (pushed in distribution form).
  const want = (await tagImages(path.join(root, ".dray", "oci"), "api")).map((image) => image.imageId).sort();
  const got = await registryTagImageIds(registry!.url, `${project}/api`, "latest");
  if (got.join() !== want.join())
    problems.push(`the registry's api:latest holds images ${got}, the layout's api ${want}`);
  return problems;
};
const loaded = async () =>
  checkEngine(project, { services: ["api"], settled: { api: referenceIds["api"]! } });

const CASES: Case[] = (["delete", "flip"] as const).flatMap((fault): Case[] => [
  ...(fault === "delete" ? [{ fault, service: "api", args: ["build"] }] : []),
  { fault, service: "orders", args: ["build", "--no-cache"] },
  { fault, service: "web", args: ["verify", "web"] },
  { fault, service: "api", args: ["push", "api"], outcome: pushed },
  { fault, service: "api", args: ["deploy", "api"], outcome: loaded },
]);

let temp: string;
let base: string;
const referenceIds: Record<string, string> = {};

beforeAll(async () => {
  base = await copyExample("dray-corrupt-");
  temp = await mkdtemp(path.join(os.tmpdir(), "dray-corrupt-cases-"));
  const port = await freePort();
  const file = path.join(base, "dray.yaml");
  const yaml = (await readFile(file, "utf8"))
    .replace("project: shop", `project: ${project}`)
    .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
    .replace('"18080:8080"', `"${port}:8080"`)
    .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 20s }")
    // Layers of api's own, that the engine cannot have from another test: it must read them from the layout.
    .replace("-X=main.version=1.0.0", `-X=main.version=corrupt-${process.pid}`);
  await writeFile(file, yaml);
  await writeFile(path.join(base, "services", "api", "static", "run.txt"), `${project}\n`);
  const built = await runDray(["build", "--json"], { cwd: base });
  expect(built.code, built.stderr).toBe(0);
  for (const [key, value] of Object.entries(digestsOf(built.stdout)))
    referenceIds[key.split(" ")[0]!] = value.imageId;
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  await removeProject(project);
  await removeProjectImages(project);
  await rm(temp, { recursive: true, force: true });
  if (base) await rm(path.dirname(base), { recursive: true, force: true });
}, 120_000);

afterEach(async () => {
  await registry?.stop();
  registry = undefined;
}, 60_000);

describe(`corrupted and missing layer blobs (seed ${SEED})`, () => {
  for (const [n, c] of CASES.entries()) {
    it(`${c.fault} a layer of ${c.service}, then dray ${c.args.join(" ")}`, async () => {
      const rng = prng(SEED + n);
      const root = path.join(temp, `case-${n}`);
      await cp(base, root, { recursive: true });
      await removeProject(project);
      await run("docker", ["rmi", "-f", referenceIds["api"]!]).catch(() => undefined);
      if (c.args[0] === "push") {
        // A new, empty registry: nothing is in it that would let a push skip reading the blob.
        registry = await startRegistry();
        await appendFile(path.join(root, "dray.yaml"), `registry: ${registry.url}/${project}\n`);
      }
      const layout = path.join(root, ".dray", "oci");
      const [image] = await tagImages(layout, c.service);
      const layer = rng.pick(image!.layers);
      const file = path.join(layout, "blobs", "sha256", layer.digest.slice(7));
      let what = `seed ${SEED + n}: ${c.fault} layer ${layer.digest} of ${c.service}`;
      if (c.fault === "delete") await unlink(file);
      else {
        const data = await readFile(file);
        const offset = rng.int(0, data.length - 1);
        data[offset] = data[offset]! ^ rng.int(1, 255);
        await writeFile(file, data);
        what += ` (byte ${offset} of ${data.length})`;
      }

      const result = await runDray(c.args, { cwd: root, timeoutMs: 300_000 });
      what += `, then dray ${c.args.join(" ")} exited ${result.code}`;
      expect(result.stderr, what).not.toMatch(/^ {4}at /m);
      expect(result.stderr, what).not.toContain("internal error");
      expect([0, 1, 2, 3], `${what}\n${result.stderr}`).toContain(result.code);
      if (result.code === 0) {
        const problems = (await checkProjectState(root)).map((p) => `the layout was not repaired: ${p}`);
        if (c.outcome) problems.push(...(await c.outcome(root)));
        expect(problems, what).toEqual([]);
      } else {
        expect(`${result.stdout}\n${result.stderr}`, `${what}: the error must name the blob`).toContain(
          layer.digest.slice(7, 19),
        );
        // Whatever failed, nothing wrong reached the registry or the engine.
        if (registry) expect(await checkRegistry(registry.url), what).toEqual([]);
        expect(await checkEngine(project, { services: ["api"] }), what).toEqual([]);
      }
    }, 600_000);
  }
});
