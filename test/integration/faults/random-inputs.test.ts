/**
 * Property test: a copy of examples/shop (already built once, so `.dray` holds images and a cache)
 * has its dray.yaml, files and `.dray` state mutated at random — a plan made from a fixed seed per
 * case (test/support/mutations.ts) — and then `dray build` runs, plus `dray plan` on every third case.
 * Whatever the input, each command ends by itself with exit 0, 1, 2 or 3 and without a stack trace or
 * "internal error"; the folder beside the project (`outside`, with a secret and a `dist` of its own) is
 * left exactly as it was; and when a build succeeds, the layout is consistent, no blob holds the
 * secret and no layer packs `.dray/` or `.git/`. A failure names the seed and the mutations; `DRAY_FAULT_SEED=N` reruns one case alone.
 * Cases are independent (each in its own folder) and run two at a time.
 */
import { createHash } from "node:crypto";
import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pLimit from "p-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLayout } from "../../support/consistency.js";
import { exampleDir, type RunResult, runDray } from "../../support/dray.js";
import { blobsContaining, layerEntryNames } from "../../support/layout-files.js";
import { applyMutations, exampleFacts, planMutations } from "../../support/mutations.js";

const CASES = 60;
const FIRST_SEED = 1101;
/** Far more than a build of the example takes on a loaded machine (~10 s), enough for a 2 GiB file. */
const COMMAND_TIMEOUT_MS = 120_000;
const SECRET = "dray-fault-secret-3f9a61c2";
/** Whatever a mutated go.mod asks for, Go downloads nothing: the suite talks only to 127.0.0.1. */
const ENV = { GOPROXY: "off" };

const seeds = process.env["DRAY_FAULT_SEED"]
  ? [Number(process.env["DRAY_FAULT_SEED"])]
  : Array.from({ length: CASES }, (_, i) => FIRST_SEED + i);
const facts = exampleFacts(exampleDir);

let temp: string;
let base: string;
let baseBlobs: Set<string>;
const twoAtATime = pLimit(2);

beforeAll(async () => {
  temp = await mkdtemp(path.join(os.tmpdir(), "dray-faults-"));
  base = path.join(temp, "base", "shop");
  await cp(exampleDir, base, {
    recursive: true,
    filter: (src) => !/[/\\](\.dray|dist|node_modules)$/.test(src),
  });
  // A repository's own state, which no image may hold (nor .dray).
  await mkdir(path.join(base, ".git"));
  await writeFile(path.join(base, ".git", "HEAD"), "ref: refs/heads/main\n");
  const built = await runDray(["build"], { cwd: base, env: ENV, timeoutMs: COMMAND_TIMEOUT_MS });
  expect(built.code, built.stderr).toBe(0);
  baseBlobs = new Set(await readdir(path.join(base, ".dray", "oci", "blobs", "sha256")));
}, 300_000);

afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

/** Every path below `dir` with its kind and content digest (or link target), to see any change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string) => {
    const full = path.join(dir, rel);
    const info = await lstat(full).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink()) out[rel] = `link ${await readlink(full)}`;
    else if (info.isDirectory()) {
      out[rel] = "dir";
      for (const name of await readdir(full)) await walk(path.join(rel, name));
    } else
      out[rel] = `file ${createHash("sha256")
        .update(await readFile(full))
        .digest("hex")
        .slice(0, 16)}`;
  };
  await walk(".");
  return out;
}

/** What is wrong with how a command ended; empty when it ended well. */
function judge(args: string[], result: RunResult): string[] {
  const problems: string[] = [];
  const command = `dray ${args.join(" ")}`;
  if (result.code === null) problems.push(`${command} did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`);
  else if (![0, 1, 2, 3].includes(result.code)) problems.push(`${command} exited ${result.code}`);
  if (/^ {4}at /m.test(result.stderr)) problems.push(`${command} printed a stack trace`);
  if (result.stderr.includes("internal error")) problems.push(`${command} printed "internal error"`);
  if (problems.length > 0) {
    const lines = result.stderr.trim().split("\n");
    const shown = lines.slice(0, 12).map((l) => `      | ${l.slice(0, 300)}`);
    if (lines.length > 12) shown.push(`      | … ${lines.length - 12} more lines`);
    problems.push(`    stderr of ${command} (exit ${result.code}):`, ...shown);
  }
  return problems;
}

describe.concurrent("random dray.yaml, file-tree and state mutations (seeded)", () => {
  for (const seed of seeds) {
    const plan = planMutations(seed, facts);
    const titles = plan.map((m) => m.describe);
    const commands = seed % 3 === 0 ? [["build"], ["plan"]] : [["build"]];

    it(
      `seed ${seed}: ${titles.join("; ").slice(0, 200)}`,
      ({ expect }) =>
        twoAtATime(async () => {
          const caseDir = path.join(temp, `case-${seed}`);
          const dirs = { root: path.join(caseDir, "shop"), outside: path.join(caseDir, "outside") };
          try {
            await cp(base, dirs.root, { recursive: true, verbatimSymlinks: true });
            await mkdir(path.join(dirs.outside, "dist"), { recursive: true });
            await writeFile(path.join(dirs.outside, "secret.txt"), `${SECRET}\n`);
            await writeFile(path.join(dirs.outside, "dist", "keep.txt"), "not dray's to delete\n");
            const before = await snapshot(dirs.outside);
            await applyMutations(plan, dirs);

            const problems: string[] = [];
            for (const args of commands) {
              const result = await runDray(args, { cwd: dirs.root, env: ENV, timeoutMs: COMMAND_TIMEOUT_MS });
              problems.push(...judge(args, result));
              if (args[0] !== "build" || result.code !== 0) continue;
              const layout = path.join(dirs.root, ".dray", "oci");
              for (const p of await checkLayout(layout)) problems.push(`after dray build exited 0: ${p}`);
              for (const blob of await blobsContaining(layout, SECRET, baseBlobs))
                problems.push(`blob ${blob} holds the secret from the folder beside the project`);
              for (const [blob, names] of await layerEntryNames(layout, baseBlobs)) {
                const state = names.filter((n) => /(^|\/)\.(dray|git)(\/|$)/.test(n));
                if (state.length > 0) problems.push(`layer ${blob} packs ${state.slice(0, 3).join(", ")}`);
              }
            }
            const after = await snapshot(dirs.outside);
            if (JSON.stringify(after) !== JSON.stringify(before))
              problems.push(
                `the folder beside the project changed: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
              );

            if (problems.length > 0) {
              expect.fail(
                [
                  `seed ${seed} (rerun alone: DRAY_FAULT_SEED=${seed})`,
                  ...titles.map((t) => `  mutation: ${t}`),
                  ...problems.map((p) => (p.startsWith(" ") ? p : `  ${p}`)),
                ].join("\n"),
              );
            }
          } finally {
            await rm(caseDir, { recursive: true, force: true });
          }
        }),
      600_000,
    );
  }
});
