/**
 * Every option whose value can be wrong says what is wrong and what is allowed, and exits 2 before
 * anything runs. Runs the CLI entry in this process with an empty directory as the project, so a
 * check that came too late would show up as "no dray.yaml found" instead.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "./main.js";

let empty: string;
beforeAll(async () => {
  empty = await mkdtemp(path.join(os.tmpdir(), "dray-cli-"));
});
afterAll(() => rm(empty, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `dray args…` and returns what it printed on stderr and its exit code. */
async function run(args: readonly string[]): Promise<{ stderr: string; exitCode: unknown }> {
  let stderr = "";
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  await main(["-C", empty, ...args]);
  return { stderr, exitCode: process.exitCode };
}

const jobs = "error: option '-j, --jobs <n>' argument";
const port = "error: option '--dashboard-port <port>' argument";
const shard = "error: option '--shard <i/n>' argument";

describe("bad option values", () => {
  it.each(
    [
      ...["0", "-1", "abc", "1.5", "1e3", "0x10", " 2", ""].map((value) => ({
        args: ["build", "--jobs", value],
        stderr: `${jobs} '${value}' is invalid. Expected a whole number of 1 or more, e.g. 4.`,
      })),
      {
        args: ["build", "-j", "0"],
        stderr: `${jobs} '0' is invalid. Expected a whole number of 1 or more, e.g. 4.`,
      },
      ...["x", "1", "1/0", "0/0", "-1/3", "1/3/3", "a/b", " 1/3", "1.0/3"].map((value) => ({
        args: ["build", "--shard", value],
        stderr: `${shard} '${value}' is invalid. Expected I/N: this runner's shard I of N runners, e.g. 2/3.`,
      })),
      ...[
        ["0/3", "There is no shard 0 of 3: I goes from 1 to 3."],
        ["4/3", "There is no shard 4 of 3: I goes from 1 to 3."],
      ].map(([value, text]) => ({
        args: ["build", "--shard", value!],
        stderr: `${shard} '${value}' is invalid. ${text}`,
      })),
      ...["65536", "-1", "http", "80.5"].map((value) => ({
        args: ["dev", "--dashboard-port", value],
        stderr: `${port} '${value}' is invalid. Expected a port from 1 to 65535, or 0 for any free port.`,
      })),
      {
        args: ["cache", "prune", "--max-size", "lots"],
        stderr: 'error: --max-size is not a size: "lots"',
      },
      {
        args: ["cache", "prune", "--max-size", "-5GB"],
        stderr: 'error: --max-size is not a size: "-5GB"',
      },
      {
        args: ["deploy", "--lock-wait", "soon"],
        stderr:
          'error: --lock-wait: "soon" is not a duration\nhint: Write e.g. "30s", "5m" or a number of seconds.',
      },
      {
        args: ["graph", "--platform", "linux/sparc"],
        stderr: "error: unknown platform: linux/sparc\nhint: use one of linux/amd64,",
      },
      {
        args: ["graph", "--json", "--dot"],
        stderr: "error: option '--json' cannot be used with option '--dot'",
      },
    ].map((c) => ({ ...c, command: c.args.map((a) => JSON.stringify(a)).join(" ") })),
  )("dray $command explains what is allowed", async ({ args, stderr }) => {
    const result = await run(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(stderr);
    expect(result.stderr).not.toMatch(/no dray\.yaml|internal error|\n\s+at /);
  });

  it.each([
    { args: ["build", "--jobs", "4"], description: "--jobs 4" },
    { args: ["dev", "--dashboard-port", "0"], description: "--dashboard-port 0 (any free port)" },
    { args: ["cache", "prune", "--max-size", "2GiB"], description: "--max-size 2GiB" },
  ])("accepts $description, and goes on to look for dray.yaml", async ({ args }) => {
    const result = await run(args);
    expect(result.stderr).toMatch(/^error: no dray\.yaml found in /);
    expect(result.exitCode).toBe(2);
  });
});
