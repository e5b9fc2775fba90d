/**
 * Several `dray build` processes at once on one project: a command service whose output differs per
 * platform must still get, in every image each process builds, the files of that image's platform —
 * checked by reading the layers back from the layout, for the images each process reported and for
 * every cache entry. The command sleeps a random while, so unsynchronised runs would overlap in
 * ever different ways; several rounds make a lucky pass unlikely.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestsOf, runDray } from "../support/dray.js";
import { imageFiles, manifestFilesByDigest } from "../support/image-files.js";

const PROCESSES = 4;
const ROUNDS = 3;
const PLATFORMS = ["linux/amd64", "linux/arm64"];

/** Writes its platform into the output, sleeps 0–0.9 s, then lists what the output holds. */
const BUILD_SCRIPT = `mkdir -p dist
echo "$TARGETARCH" > dist/arch.txt
sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
listed=$(ls dist)
echo "$listed" > dist/list.txt
`;

let base: string;
let project: string;
let layout: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "dray-concurrent-"));
  project = path.join(base, "project");
  layout = path.join(project, ".dray", "oci");
  await mkdir(path.join(project, "arch"), { recursive: true });
  await writeFile(path.join(project, "arch", "build.sh"), BUILD_SCRIPT);
  await writeFile(
    path.join(project, "dray.yaml"),
    [
      "project: shop",
      `platforms: [${PLATFORMS.join(", ")}]`,
      "services:",
      "  arch:",
      "    command: sh build.sh",
      "    dir: arch",
      "    to: /out",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The files an image of `platform` must hold. */
function expected(platform: string) {
  return { "out/arch.txt": `${platform.split("/")[1]}\n`, "out/list.txt": "arch.txt\n" };
}

function filesOf(files: Map<string, string>) {
  return { "out/arch.txt": files.get("out/arch.txt"), "out/list.txt": files.get("out/list.txt") };
}

describe("concurrent builds of one project", () => {
  it("never put one platform's or one process's files into another's image", async () => {
    const solo = await runDray(["build", "--json"], { cwd: project });
    expect(solo.code, solo.stderr).toBe(0);
    const reference = digestsOf(solo.stdout);

    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, async (_, i) => {
          await sleep(i * 150);
          return runDray(["build", "--json", "--no-cache"], { cwd: project });
        }),
      );
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        const digests = digestsOf(result.stdout);
        for (const platform of PLATFORMS) {
          const built = digests[`arch ${platform}`]!;
          const files = await manifestFilesByDigest(layout, built.manifestDigest as `sha256:${string}`);
          expect(filesOf(files), `round ${round}, ${platform}`).toEqual(expected(platform));
          expect(built.imageId).toBe(reference[`arch ${platform}`]!.imageId);
        }
      }
      for (const platform of PLATFORMS) {
        const tagged = await imageFiles(layout, "arch", platform);
        expect(filesOf(tagged), `round ${round}, tag of ${platform}`).toEqual(expected(platform));
      }
    }

    const entries = path.join(project, ".dray", "cache", "entries");
    const names = (await readdir(entries)).filter((n) => n.endsWith(".json"));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const entry = JSON.parse(await readFile(path.join(entries, name), "utf8")) as {
        platforms: { platform: string; manifest: { digest: `sha256:${string}` } }[];
      };
      for (const { platform, manifest } of entry.platforms) {
        const files = await manifestFilesByDigest(layout, manifest.digest);
        expect(filesOf(files), `cache entry ${name}, ${platform}`).toEqual(expected(platform));
      }
    }
  });
});
