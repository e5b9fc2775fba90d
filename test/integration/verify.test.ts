/** `dray verify` passes on a reproducible project and, on one that is not, names the file and what differs. */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { COMPRESSOR_ID } from "../../src/oci/distribution-gzip.js";
import { copyExample, runDray } from "../support/dray.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A project of one command service, `site`, that copies index.html into /srv with `command`. */
async function siteProject(project: string, command: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), `dray-verify-${project}-`));
  dirs.push(root);
  await mkdir(path.join(root, "site"));
  await writeFile(path.join(root, "site", "index.html"), "<h1>hi</h1>\n");
  const yaml = [`project: ${project}`, "services:", "  site:", `    command: ${command}`, "    dir: site"];
  await writeFile(path.join(root, "dray.yaml"), [...yaml, "    output: out", "    to: /srv", ""].join("\n"));
  return root;
}

describe("dray verify", () => {
  it("reports every image of the example identical", async () => {
    const root = await copyExample("dray-verify-ok-");
    dirs.push(path.dirname(root));
    const result = await runDray(["verify", "--json"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.identical).toBe(true);
    expect(report.results).toHaveLength(7);
    // Both builds' distribution forms (what a push sends, layers gzipped) are compared too.
    for (const r of report.results) {
      expect(r.distributionDigest.here).toBe(r.distributionDigest.copy);
      expect(r.distributionDigest.here).not.toBe(r.manifestDigest.here);
    }
    expect(report.conditions.clock).toMatch(/faketime/);
    // On a machine set up by scripts/install-deps.sh, every variation verify reports is applied.
    const skipped = report.conditions.variations.filter((v: { applied: boolean }) => !v.applied);
    expect(skipped).toEqual([]);
  });

  it("builds its second copy inside the project's .dray/tmp and removes it afterwards", async () => {
    const root = await copyExample("dray-verify-inside-");
    dirs.push(path.dirname(root));
    const kept = await runDray(["verify", "--json", "--keep", "api"], { cwd: root });
    expect(kept.code, kept.stderr).toBe(0);
    const copy: string = JSON.parse(kept.stdout).conditions.copy;
    expect(copy.startsWith(path.join(root, ".dray", "tmp", "verify-"))).toBe(true);
    expect(await readdir(copy)).toContain("dray.yaml");
    await rm(path.join(root, ".dray", "tmp"), { recursive: true, force: true });
    const result = await runDray(["verify", "api"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    expect(await readdir(path.join(root, ".dray", "tmp"))).toEqual([]);
  });

  it("really builds the copy under the Turkish locale it reports", async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), "dray-verify-locale-"));
    dirs.push(root);
    await mkdir(path.join(root, "site"));
    // The month's name comes from the C library's locale data: "January" in C, "Ocak" in tr_TR.
    await writeFile(
      path.join(root, "dray.yaml"),
      [
        "project: localized",
        "services:",
        "  site:",
        "    command: mkdir -p out && date -u -d @1296000 +%B > out/month",
        "    dir: site",
        "    output: out",
        "    to: /srv",
        "",
      ].join("\n"),
    );
    const result = await runDray(["verify", "--json"], {
      cwd: root,
      env: { LC_ALL: "C.UTF-8", LANG: "C.UTF-8" },
    });
    const report = JSON.parse(result.stdout);
    const locale = report.conditions.variations.find((v: { name: string }) => v.name === "locale");
    expect(locale, "tr_TR.UTF-8 must be installed: run scripts/install-deps.sh").toMatchObject({
      applied: true,
    });
    expect(report.conditions.env.LC_ALL).toBe("tr_TR.UTF-8");
    expect(result.code).toBe(1);
    // "January" against "Ocak": the file differs in size already.
    expect(report.results[0].reason).toMatch(/srv\/month: (size|content) differs/);
  });

  it("names the first differing file and field when a build is not reproducible", async () => {
    // A build step that stamps the wall-clock time into its output: the classic reproducibility bug.
    const root = await siteProject(
      "stamped",
      "mkdir -p out && cp index.html out/ && date +%s%N > out/build-stamp",
    );
    const result = await runDray(["verify"], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/site linux\/amd64: layer 1, .*srv\/build-stamp.*content differs/);
    expect(result.stdout).toMatch(/not reproducible: 1 of 1 images differ/);
  });

  it("names the layer when the image is the same but its gzip in the distribution form is not", async () => {
    const root = await siteProject("gzipped", "mkdir -p out && cp index.html out/");
    const built = await runDray(["build", "--json"], { cwd: root });
    expect(built.code, built.stderr).toBe(0);
    const [platform] = JSON.parse(built.stdout).services[0].platforms;
    const blobs = path.join(root, ".dray", "oci", "blobs", "sha256");
    const blob = (digest: string) => path.join(blobs, digest.slice("sha256:".length));
    const manifest = JSON.parse(await readFile(blob(platform.manifestDigest), "utf8"));
    // This project's record of how its layer was gzipped names bytes the pinned compressor would not
    // give (another deflate level): a valid gzip of the same layer, so the image IDs still match.
    const [layer] = manifest.layers;
    expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar");
    const gzipped = gzipSync(await readFile(blob(layer.digest)), { level: 9 });
    const digest = `sha256:${createHash("sha256").update(gzipped).digest("hex")}`;
    await writeFile(blob(digest), gzipped);
    const records = path.join(root, ".dray", "cache", "compressed");
    await mkdir(records, { recursive: true });
    const record = {
      diffId: layer.digest,
      digest,
      size: gzipped.length,
      mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
      compressor: COMPRESSOR_ID,
    };
    await writeFile(
      path.join(records, `${layer.digest.slice("sha256:".length)}.json`),
      JSON.stringify(record),
    );

    const result = await runDray(["verify", "--json"], { cwd: root });
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.identical).toBe(false);
    const [only] = report.results;
    expect(only.imageId.here).toBe(only.imageId.copy);
    expect(only.distributionDigest.here).not.toBe(only.distributionDigest.copy);
    expect(only.reason).toBe(
      "layer 1: same content, different compressed bytes in the distribution form (the pinned gzip gave other bytes in the copy)",
    );
  });
});
