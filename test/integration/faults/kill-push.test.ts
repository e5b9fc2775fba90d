/**
 * kill -9 at random moments of `dray push` to a real registry (Debian's docker-registry on 127.0.0.1,
 * a fresh one per round, so that every round uploads everything): after every kill, every tag in the
 * registry resolves to a complete image (test/support/consistency-remote.ts) and the project's layout
 * and cache are consistent; the next `dray push` succeeds and every service's `latest` is the image
 * the layout holds.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProjectState } from "../../support/consistency.js";
import { checkRegistry, registryTagImageIds } from "../../support/consistency-remote.js";
import { copyExample, runDray } from "../../support/dray.js";
import { runDrayKilledAfter } from "../../support/kill.js";
import { tagImages } from "../../support/layout-files.js";
import { prng } from "../../support/prng.js";
import { startRegistry, type TestRegistry } from "../../support/registry.js";

const SEED = 2301;
const ROUNDS = 4;
const SERVICES = ["api", "orders", "users", "web"];

let root: string;
let yaml: string;
let fullPushMs: number;
let registry: TestRegistry | undefined;
const rng = prng(SEED);

/** Points dray.yaml at a new, empty registry. */
async function freshRegistry(): Promise<TestRegistry> {
  await registry?.stop();
  registry = await startRegistry();
  await writeFile(path.join(root, "dray.yaml"), `${yaml}registry: ${registry.url}/shop\n`);
  return registry;
}

beforeAll(async () => {
  root = await copyExample("dray-kill-push-");
  // One platform, to keep each round short.
  yaml = (await readFile(path.join(root, "dray.yaml"), "utf8")).replace(
    "platforms: [linux/amd64, linux/arm64]",
    "platforms: [linux/amd64]",
  );
  await writeFile(path.join(root, "dray.yaml"), yaml);
  const built = await runDray(["build"], { cwd: root });
  expect(built.code, built.stderr).toBe(0);
  // How long a whole push takes (everything cached, every blob uploaded), to spread the kills over.
  await freshRegistry();
  const started = Date.now();
  const pushed = await runDray(["push"], { cwd: root });
  fullPushMs = Date.now() - started;
  expect(pushed.code, pushed.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  if (root) await rm(path.dirname(root), { recursive: true, force: true });
});

/**
 * The registry's problems once it has finished what the killed push had already sent: a manifest
 * PUT by tag that arrived whole is still being stored for a moment after the kill (the registry
 * makes the tag's directory, then writes its link), and a check in that moment lists a tag whose
 * manifest answers 404. What is still wrong a second later is what the push left.
 */
async function registryAfterKill(url: string): Promise<string[]> {
  const first = await checkRegistry(url);
  if (first.length === 0) return first;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return checkRegistry(url);
}

describe(`kill -9 during dray push (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}`, async () => {
      const { url } = await freshRegistry();
      const afterMs = rng.int(0, Math.ceil(fullPushMs * 1.2));
      const killed = await runDrayKilledAfter(["push"], { cwd: root, afterMs });
      const what = `seed ${SEED} round ${round}: dray push killed after ${afterMs} ms (a full push took ${fullPushMs} ms; ${killed.killed ? "killed" : `it had ended with exit ${killed.code}`})`;
      expect(await registryAfterKill(url), `${what}: registry right after the kill`).toEqual([]);
      expect(await checkProjectState(root), `${what}: project state right after the kill`).toEqual([]);

      const next = await runDray(["push"], { cwd: root });
      expect(next.code, `${what}: the next push\n${next.stderr}`).toBe(0);
      expect(await checkRegistry(url), `${what}: registry after the next push`).toEqual([]);
      // The registry's tags name the images the layout's tags name (pushed in distribution form).
      const layout = path.join(root, ".dray", "oci");
      for (const service of SERVICES) {
        const want = (await tagImages(layout, service)).map((image) => image.imageId).sort();
        expect(
          await registryTagImageIds(url, `shop/${service}`, "latest"),
          `${what}: ${service}:latest`,
        ).toEqual(want);
      }
    }, 300_000);
  }
});
