/**
 * Layers are streamed, never read whole: a file of more than 2 GiB (which no Buffer can hold) packs,
 * and a file name that is not UTF-8 is refused naming the file, wherever dray meets it.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDray } from "../support/dray.js";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A project with one command service `site` (dir `site`) and the given extra dray.yaml lines. */
async function project(command: string, extra: string[] = []): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "dray-streaming-"));
  dirs.push(root);
  await mkdir(path.join(root, "site"));
  await writeFile(path.join(root, "site", "index.html"), "<h1>hi</h1>\n");
  const lines = ["project: streaming", "services:", "  site:", `    command: ${JSON.stringify(command)}`];
  lines.push("    dir: site", "    output: out", "    to: /srv", ...extra.map((l) => `    ${l}`), "");
  await writeFile(path.join(root, "dray.yaml"), lines.join("\n"));
  return root;
}

/** A file name: `prefix`, the byte 0xff, then ".txt". */
function nonUtf8(dir: string, prefix: string): Buffer {
  return Buffer.concat([Buffer.from(path.join(dir, prefix)), Buffer.from([0xff]), Buffer.from(".txt")]);
}

/** The blob file of the first layer of the image `dray build --json` reported first. */
async function firstLayer(root: string, buildJson: string): Promise<string> {
  const blobs = path.join(root, ".dray", "oci", "blobs", "sha256");
  const digest: string = JSON.parse(buildJson).services[0].platforms[0].manifestDigest;
  const manifest = JSON.parse(await readFile(path.join(blobs, digest.slice(7)), "utf8"));
  return path.join(blobs, manifest.layers[0].digest.slice(7));
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/bug in dray/i);
}

describe("a file larger than 2 GiB", () => {
  it("is packed into the image, streamed rather than read whole", async () => {
    // Sparse, so the test writes almost nothing; 2100 MiB and 4 bytes, past any Buffer's limit.
    const root = await project("mkdir -p out && truncate -s 2100M out/big.bin && printf tail >> out/big.bin");
    const result = await runDray(["build", "--json"], { cwd: root });
    expect(result.code, result.stderr).toBe(0);
    // The layer is stored as a plain tar: tar reads it without -z.
    const listing = execFileSync("tar", ["-tvf", await firstLayer(root, result.stdout), "--numeric-owner"], {
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
    });
    expect(listing).toMatch(/-rw-r--r-- 0\/0\s+2202009604 \S+ \S+ srv\/big\.bin/);
  });
});

describe("a file name that is not UTF-8", () => {
  it.each([
    {
      description: "in a directory copied with files:",
      setup: async (root: string) => {
        await mkdir(path.join(root, "site", "assets"));
        await writeFile(nonUtf8(path.join(root, "site", "assets"), "bad"), "x");
      },
      command: "mkdir -p out && cp index.html out/",
      extra: ["files: [{ from: assets, to: /assets }]"],
      named: "site/assets/bad\\xff.txt",
    },
    {
      description: "among a command service's inputs",
      setup: async (root: string) => {
        await mkdir(path.join(root, "site", "src"));
        await writeFile(nonUtf8(path.join(root, "site", "src"), "bad"), "x");
      },
      command: "mkdir -p out && cp index.html out/",
      extra: ['inputs: ["src/**", "index.html"]'],
      named: "site/src/bad\\xff.txt",
    },
    {
      description: "in a command service's output",
      setup: async () => {},
      command: "mkdir -p out && cp index.html out/ && printf x > \"out/bad$(printf '\\377').txt\"",
      extra: [],
      named: "out/bad\\xff.txt",
    },
  ])("is refused $description, naming the file, with exit 2", async ({ setup, command, extra, named }) => {
    const root = await project(command, extra);
    await setup(root);
    const result = await runDray(["build"], { cwd: root });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${named}: file name is not valid UTF-8`);
    // dray's scratch copy of an output is never what a message names.
    expect(result.stderr).not.toContain(".dray/tmp");
    expectNoStack(result.stderr);
  });
});
