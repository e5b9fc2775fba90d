/**
 * kill -9 at random moments of `dray build` (seeded delays within the length of a full build): after
 * every kill the layout and the cache are consistent (test/support/consistency.ts), and the next
 * `dray build` succeeds with exactly the images an uninterrupted build made, tagged in the layout.
 * Rounds alternate between a build from nothing (.dray removed) and a `--no-cache` rebuild over the
 * images already there.
 */
import { cp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProjectState } from "../../support/consistency.js";
import { copyExample, digestsOf, runDray } from "../../support/dray.js";
import { runDrayKilledAfter } from "../../support/kill.js";
import { layoutImageIds } from "../../support/layout-files.js";
import { prng } from "../../support/prng.js";

const SEED = 2201;
const ROUNDS = 6;
const SERVICES = ["api", "orders", "users", "web"];

let reference: Record<string, { imageId: string }>;
let fullBuildMs: number;
let root: string;
const dirs: string[] = [];
const rng = prng(SEED);

beforeAll(async () => {
  // The uninterrupted build every round must converge to, and how long one takes from nothing.
  const first = await copyExample("dray-kill-build-");
  dirs.push(path.dirname(first));
  await amd64Only(first);
  const started = Date.now();
  const built = await runDray(["build", "--json"], { cwd: first });
  fullBuildMs = Date.now() - started;
  expect(built.code, built.stderr).toBe(0);
  reference = digestsOf(built.stdout);
  root = path.join(path.dirname(first), "killed");
  await cp(first, root, { recursive: true, filter: (src) => !src.endsWith(`${path.sep}.dray`) });
}, 300_000);

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** One platform, to keep each round short; the kills and the checks are the same for an index. */
async function amd64Only(root: string): Promise<void> {
  const file = path.join(root, "dray.yaml");
  const yaml = await readFile(file, "utf8");
  await writeFile(file, yaml.replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]"));
}

const ids = (digests: Record<string, { imageId: string }>) =>
  Object.fromEntries(Object.entries(digests).map(([k, v]) => [k, v.imageId]));

describe(`kill -9 during dray build (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    const cold = round % 2 === 0;
    it(`round ${round}: ${cold ? "from an empty .dray" : "--no-cache over existing images"}`, async () => {
      const afterMs = rng.int(0, Math.ceil(fullBuildMs * 1.2));
      if (cold) await rm(path.join(root, ".dray"), { recursive: true, force: true });
      const args = cold ? ["build"] : ["build", "--no-cache"];
      const killed = await runDrayKilledAfter(args, { cwd: root, afterMs });
      const what = `seed ${SEED} round ${round}: dray ${args.join(" ")} killed after ${afterMs} ms (a full build took ${fullBuildMs} ms; ${killed.killed ? "killed" : `it had ended with exit ${killed.code}`})`;
      expect(await checkProjectState(root), `${what}: state right after the kill`).toEqual([]);

      const next = await runDray(["build", "--json"], { cwd: root });
      expect(next.code, `${what}: the next build\n${next.stderr}`).toBe(0);
      expect(ids(digestsOf(next.stdout)), `${what}: the next build's images`).toEqual(ids(reference));
      expect(await layoutImageIds(path.join(root, ".dray", "oci"), SERVICES), `${what}: tags`).toEqual(
        ids(reference),
      );
      expect(await checkProjectState(root), `${what}: state after the next build`).toEqual([]);
    }, 300_000);
  }
});
