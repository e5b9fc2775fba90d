/**
 * kill -9 at random moments of `dray deploy` to the real Docker engine (seeded delays within the length
 * of a whole deploy), each round changing every service's labels so that each image changes and each
 * container is replaced.
 * Right after every kill: the layout and cache are consistent, every container of the project runs
 * the image its labels name, and no service has two containers running. The next `dray deploy`
 * succeeds and settles the engine on exactly one running container per service with the wanted
 * image; a deploy after it changes nothing.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkProjectState } from "../../support/consistency.js";
import { checkEngine } from "../../support/consistency-remote.js";
import { copyExample, digestsOf, runDray } from "../../support/dray.js";
import { removeProject, removeProjectImages } from "../../support/engine-project.js";
import { runDrayKilledAfter } from "../../support/kill.js";
import { prng } from "../../support/prng.js";
import { freePort } from "../../support/registry.js";

const SEED = 2401;
const ROUNDS = 3;
const RUNNABLE = ["api", "orders", "users"] as const;
const TEAMS = { api: "edge", orders: "checkout", users: "identity" } as const;
const project = `fk${process.pid}`;

let root: string;
let yaml: string;
let fullDeployMs: number;
const rng = prng(SEED);
const deploy = () => runDray(["deploy"], { cwd: root, timeoutMs: 300_000 });

/** dray.yaml with each service's team label suffixed by its version: a new image, no recompile. */
async function setVersions(versions: Record<string, number>): Promise<void> {
  let text = yaml;
  for (const service of RUNNABLE)
    text = text.replace(`team: ${TEAMS[service]} }`, `team: ${TEAMS[service]}-v${versions[service] ?? 0} }`);
  await writeFile(path.join(root, "dray.yaml"), text);
}

/** service → the image ID a build of the current dray.yaml makes. */
async function wantedImages(): Promise<Record<string, string>> {
  const built = await runDray(["build", "--json", ...RUNNABLE], { cwd: root });
  expect(built.code, built.stderr).toBe(0);
  const digests = digestsOf(built.stdout);
  return Object.fromEntries(RUNNABLE.map((s) => [s, digests[`${s} linux/amd64`]!.imageId]));
}

beforeAll(async () => {
  root = await copyExample("dray-kill-deploy-");
  const ports = await Promise.all(RUNNABLE.map(() => freePort()));
  yaml = (await readFile(path.join(root, "dray.yaml"), "utf8"))
    .replace("project: shop", `project: ${project}`)
    .replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]")
    .replace('"18080:8080"', `"${ports[0]}:8080"`)
    .replace('"18081:8080"', `"${ports[1]}:8080"`)
    .replace('"18082:8080"', `"${ports[2]}:8080"`)
    .replaceAll("health: { http: /healthz }", "health: { http: /healthz, timeout: 20s }");
  await setVersions({});
  // How long a deploy of every service takes, to spread the kills over.
  const started = Date.now();
  const first = await deploy();
  fullDeployMs = Date.now() - started;
  expect(first.code, first.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  await removeProject(project);
  await removeProjectImages(project);
  if (root) await rm(path.dirname(root), { recursive: true, force: true });
}, 120_000);

describe(`kill -9 during dray deploy (seed ${SEED}, ${ROUNDS} rounds)`, () => {
  for (let round = 0; round < ROUNDS; round++) {
    it(`round ${round}`, async () => {
      await setVersions({ api: round + 1, orders: round + 1, users: round + 1 });
      const afterMs = rng.int(0, fullDeployMs);
      const killed = await runDrayKilledAfter(["deploy"], { cwd: root, afterMs });
      const what = `seed ${SEED} round ${round}: dray deploy killed after ${afterMs} ms (a full deploy took ${fullDeployMs} ms; ${killed.killed ? "killed" : `it had ended with exit ${killed.code}`})`;
      expect(await checkProjectState(root), `${what}: project state right after the kill`).toEqual([]);
      expect(
        await checkEngine(project, { services: RUNNABLE }),
        `${what}: engine right after the kill`,
      ).toEqual([]);

      const next = await deploy();
      expect(next.code, `${what}: the next deploy\n${next.stderr}`).toBe(0);
      const settled = await wantedImages();
      expect(await checkEngine(project, { services: RUNNABLE, settled }), `${what}: engine after it`).toEqual(
        [],
      );
      const again = await deploy();
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout, `${what}: a deploy after the next one`).toMatch(/0 changed, 3 unchanged/);
    }, 600_000);
  }
});
