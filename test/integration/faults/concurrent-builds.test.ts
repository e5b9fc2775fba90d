/**
 * Concurrent dray processes on one project: three `dray build`s at once from an empty `.dray`, with a
 * `dray cache prune --max-size 0` started at a seeded moment among them. The web service's build
 * command writes a file naming its target platform after a pause, so runs that share its output
 * folder would mix platforms. Every process exits 0 (or refuses with a clear message about a lock);
 * every successful build reports exactly the images of a sequential build; the layout and cache are
 * consistent; web's image for each platform holds that platform's file; and a build afterwards
 * converges on the same images.
 */
import { appendFile, cp, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProjectState } from "../../support/consistency.js";
import { copyExample, digestsOf, type RunResult, runDray } from "../../support/dray.js";
import { imageFiles, layoutImageIds, tagImages } from "../../support/layout-files.js";
import { prng } from "../../support/prng.js";

const SEED = 2501;
const ROUNDS = 3;
const BUILDS = 3;
const SERVICES = ["api", "orders", "users", "web"];
const PLATFORM_FILE = [
  "",
  "// A platform-dependent file, written after a pause so that concurrent runs overlap.",
  "await new Promise((resolve) => setTimeout(resolve, 300));",
  'writeFileSync(join(dist, "platform.txt"), process.env.TARGETPLATFORM + "\\n");',
  "",
].join("\n");

let root: string;
let reference: Record<string, string>;
let sequentialMs: number;
const rng = prng(SEED);

const ids = (stdout: string) =>
  Object.fromEntries(Object.entries(digestsOf(stdout)).map(([k, v]) => [k, v.imageId]));

/** web's platform.txt in each platform's image, as the layout's tag has it. */
async function webPlatformFiles(layout: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of await tagImages(layout, "web")) {
    const files = await imageFiles(layout, image);
    out[image.platform] = files.get("srv/www/platform.txt")?.toString().trim() ?? "(missing)";
  }
  return out;
}

/** A process's end is acceptable: exit 0, or a clear refusal because another one holds a lock. */
function endedWell(result: RunResult): boolean {
  if (/^ {4}at /m.test(result.stderr) || result.stderr.includes("internal error")) return false;
  const refused = result.code !== null && [1, 3].includes(result.code);
  return result.code === 0 || (refused && /lock/i.test(`${result.stdout}${result.stderr}`));
}

/** How a process ended, for a failure message (with --json, a failed service's error is in stdout). */
function ending(result: RunResult): string {
  let failed = result.stdout.slice(-1500);
  try {
    const json = JSON.parse(result.stdout) as {
      services: { name: string; status: string; error?: unknown }[];
    };
    failed = JSON.stringify(json.services.filter((s) => s.status === "failed"));
  } catch {
    // not JSON (dray cache prune, or output cut short): shown as it is
  }
  return `exit ${result.code}\nstderr: ${result.stderr.slice(-1500)}\nstdout (failed services): ${failed}`;
}

beforeAll(async () => {
  const sequential = await copyExample("dray-concurrent-");
  await appendFile(path.join(sequential, "web", "build.mjs"), PLATFORM_FILE);
  root = path.join(path.dirname(sequential), "concurrent");
  await cp(sequential, root, { recursive: true });
  const started = Date.now();
  const built = await runDray(["build", "--json"], { cwd: sequential });
  sequentialMs = Date.now() - started;
  expect(built.code, built.stderr).toBe(0);
  reference = ids(built.stdout);
  // The sequential build itself must be right, or comparing with it proves nothing.
  const layout = path.join(sequential, ".dray", "oci");
  expect(await webPlatformFiles(layout)).toEqual({
    "linux/amd64": "linux/amd64",
    "linux/arm64": "linux/arm64",
  });
}, 300_000);

afterAll(async () => {
  if (root) await rm(path.dirname(root), { recursive: true, force: true });
});

describe(`${BUILDS} dray builds at once, and a cache prune racing them (seed ${SEED})`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}`, async () => {
      await rm(path.join(root, ".dray"), { recursive: true, force: true });
      const pruneAfter = rng.int(0, sequentialMs);
      const what = `seed ${SEED} round ${round} (prune started after ${pruneAfter} ms)`;
      const builds = Array.from({ length: BUILDS }, () => runDray(["build", "--json"], { cwd: root }));
      const prune = new Promise((resolve) => setTimeout(resolve, pruneAfter)).then(() =>
        runDray(["cache", "prune", "--max-size", "0"], { cwd: root }),
      );
      const results = await Promise.all([...builds, prune]);
      const pruned = results.pop()!;
      expect(endedWell(pruned), `${what}: dray cache prune, ${ending(pruned)}`).toBe(true);
      for (const [i, result] of results.entries()) {
        expect(endedWell(result), `${what}: build ${i}, ${ending(result)}`).toBe(true);
        if (result.code === 0) expect(ids(result.stdout), `${what}: build ${i}'s images`).toEqual(reference);
      }
      const layout = path.join(root, ".dray", "oci");
      expect(await checkProjectState(root), `${what}: state after all of them`).toEqual([]);
      expect(await webPlatformFiles(layout), `${what}: web's platform file per image`).toEqual({
        "linux/amd64": "linux/amd64",
        "linux/arm64": "linux/arm64",
      });
      expect(await layoutImageIds(layout, SERVICES), `${what}: tags`).toEqual(reference);

      const after = await runDray(["build", "--json"], { cwd: root });
      expect(after.code, `${what}: a build afterwards\n${after.stderr}`).toBe(0);
      expect(ids(after.stdout), `${what}: a build afterwards`).toEqual(reference);
    }, 300_000);
  }
});
