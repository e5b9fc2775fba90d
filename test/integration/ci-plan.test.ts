/**
 * `dray plan` in a CI job: `--format github` writes step outputs and a job summary where GitHub
 * reads them, `--format gitlab` a dotenv report, and `--exit-code` lets the pipeline stop early when
 * nothing changed. The output is read back the way GitHub and GitLab read it.
 */
import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gfmTable, parseGithubFile, parseGitlabDotenv } from "../support/ci-formats.js";
import { copyExample, runDray } from "../support/dray.js";

const run = promisify(execFile);
let root: string;
let ciFiles: string;

beforeAll(async () => {
  root = await copyExample("dray-ci-plan-");
  ciFiles = path.dirname(root);
  await run("git", ["init", "-q"], { cwd: root });
  await run("git", ["add", "-A"], { cwd: root });
  await run("git", ["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "base"], {
    cwd: root,
  });
}, 60_000);
afterAll(() => rm(ciFiles, { recursive: true, force: true }));

/** Runs `dray plan --since HEAD --format github …` as a GitHub step: the two files already hold an earlier step's lines. */
async function githubStep(...extra: string[]) {
  const output = path.join(ciFiles, "github-output");
  const summary = path.join(ciFiles, "step-summary");
  await writeFile(output, "earlier=step\n");
  await writeFile(summary, "## An earlier step\n\n");
  const result = await runDray(["plan", "--since", "HEAD", "--format", "github", ...extra], {
    cwd: root,
    env: { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
  });
  return {
    result,
    outputs: parseGithubFile(await readFile(output, "utf8")),
    summary: await readFile(summary, "utf8"),
  };
}

describe("dray plan for CI", () => {
  it("nothing changed: --exit-code exits 0, the outputs say so, the summary table lists every service unchanged", async () => {
    const { result, outputs, summary } = await githubStep("--exit-code");
    expect(result.code, result.stderr).toBe(0);
    expect(outputs).toEqual({
      earlier: "step",
      changed: "[]",
      unchanged: '["api","orders","users","web"]',
      removed: "[]",
      any: "false",
    });
    expect(summary.startsWith("## An earlier step\n\n### dray plan vs HEAD\n")).toBe(true);
    expect(gfmTable(summary).rows.map((r) => [r[0], r[1]])).toEqual([
      ["api", "unchanged"],
      ["orders", "unchanged"],
      ["users", "unchanged"],
      ["web", "unchanged"],
    ]);
    // The log gets the plain table.
    expect(result.stdout).toMatch(/4 services vs HEAD: 4 unchanged/);
  });

  it("one service edited: --exit-code exits 10, `changed` is a JSON array for a matrix, the summary says why", async () => {
    const main = path.join(root, "services/orders/main.go");
    await writeFile(main, (await readFile(main, "utf8")).replace("ready to take orders", "taking orders"));
    const { result, outputs, summary } = await githubStep("--exit-code");
    expect(result.code, result.stderr).toBe(10);
    expect(JSON.parse(outputs["changed"]!)).toEqual(["orders"]);
    expect(JSON.parse(outputs["unchanged"]!)).toEqual(["api", "users", "web"]);
    expect(outputs["any"]).toBe("true");
    const orders = gfmTable(summary).rows.find((r) => r[0] === "orders")!;
    expect(orders).toEqual(["orders", "changed", "package example.com/shop/services/orders"]);
    // Without --exit-code the same plan exits 0.
    expect((await githubStep()).result.code).toBe(0);
  });

  it("--format gitlab --output writes a dotenv report GitLab accepts", async () => {
    const result = await runDray(["plan", "--since", "HEAD", "--format", "gitlab", "--output", "plan.env"], {
      cwd: root,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("");
    expect(parseGitlabDotenv(await readFile(path.join(root, "plan.env"), "utf8"))).toEqual({
      DRAY_CHANGED: "orders",
      DRAY_UNCHANGED: "api,users,web",
      DRAY_REMOVED: "",
      DRAY_CHANGED_COUNT: "1",
      DRAY_ANY_CHANGED: "true",
    });
  });

  it("--format json is --json; --json with --format, an unknown format, or --output with github exit 2", async () => {
    const json = await runDray(["plan", "--since", "HEAD", "--format", "json"], { cwd: root });
    const legacy = await runDray(["plan", "--since", "HEAD", "--json"], { cwd: root });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(legacy.stdout));
    for (const args of [
      ["--json", "--format", "github"],
      ["--format", "yaml"],
      ["--format", "github", "--output", "x"],
    ]) {
      const bad = await runDray(["plan", "--since", "HEAD", ...args], { cwd: root });
      expect(bad.code, args.join(" ")).toBe(2);
      expect(bad.stderr).toMatch(/format|output/);
    }
  });
});
