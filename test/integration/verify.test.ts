/** `dray verify` passes on a reproducible project and, on one that is not, names the file and what differs. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyExample, runDray } from "../support/dray.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("dray verify", () => {
  it("reports every image of the example identical", async () => {
    const root = await copyExample("dray-verify-ok-");
    dirs.push(path.dirname(root));
    const result = await runDray(["verify", "--json"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.identical).toBe(true);
    expect(report.results).toHaveLength(7);
    expect(report.conditions.clock).toMatch(/faketime/);
  });

  it("names the first differing file and field when a build is not reproducible", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "dray-verify-bad-"));
    dirs.push(root);
    await mkdir(path.join(root, "site"));
    await writeFile(path.join(root, "site", "index.html"), "<h1>hi</h1>\n");
    // A build step that stamps the wall-clock time into its output: the classic reproducibility bug.
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        "project: stamped",
        "services:",
        "  site:",
        "    command: mkdir -p out && cp index.html out/ && date +%s%N > out/build-stamp",
        "    dir: site",
        "    output: out",
        "    to: /srv",
        "",
      ].join("\n"),
    );
    const result = await runDray(["verify"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/site linux\/amd64: layer 1, .*srv\/build-stamp.*content differs/);
    expect(result.stdout).toMatch(/not reproducible: 1 of 1 images differ/);
  });
});
