/**
 * Disk full: a small tmpfs (mounted here; the tests run as root, and fail — not skip — when mounting
 * is not allowed) holds either the whole project or only the image layout (`--layout`), filled with a
 * file until only part of the room a build needs is left: the first runs out while compiling or
 * writing dray's caches, the second while writing blobs and index.json. `dray build` then fails with
 * a clear error (exit 1 or 3, an `error:` line, the disk named as full, no stack trace), the layout
 * and cache are still consistent, and once the filler is deleted the next build succeeds with the
 * same images as a build that had room.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, open, readFile, rm, statfs, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCache, checkLayout } from "../../support/consistency.js";
import { copyExample, digestsOf, runDray } from "../../support/dray.js";

const run = promisify(execFile);
const SIZE = "160m";
/** What is on the tmpfs, and what is left free as a fraction of what a build adds to it. */
const SCENARIOS: { on: "project" | "layout"; left: number }[] = [
  { on: "project", left: 0 },
  { on: "project", left: 0.3 },
  { on: "layout", left: 0.05 },
  { on: "layout", left: 0.5 },
  { on: "layout", left: 0.9 },
];

let temp: string;
let mount: string;
let source: string;
/** A copy on the ordinary disk whose builds write their layout to the tmpfs. */
let layoutProject: string;
let reference: Record<string, string>;
const footprint = { project: 0, layout: 0 };

const ids = (stdout: string) =>
  Object.fromEntries(Object.entries(digestsOf(stdout)).map(([k, v]) => [k, v.imageId]));

async function freeBytes(): Promise<number> {
  const s = await statfs(mount);
  return s.bavail * s.bsize;
}

/** Writes zeros until only `left` bytes are free. */
async function fillUntil(file: string, left: number): Promise<void> {
  const handle = await open(file, "w");
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (let free = await freeBytes(); free > left; free = await freeBytes()) {
      await handle.write(chunk, 0, Math.min(chunk.length, free - left));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  source = await copyExample("dray-disk-full-");
  temp = path.dirname(source);
  // One platform, to keep each build short.
  const yaml = await readFile(path.join(source, "dray.yaml"), "utf8");
  await writeFile(
    path.join(source, "dray.yaml"),
    yaml.replace("platforms: [linux/amd64, linux/arm64]", "platforms: [linux/amd64]"),
  );
  mount = path.join(temp, "tmpfs");
  await mkdir(mount);
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${SIZE}`, "tmpfs", mount]);
  } catch (error) {
    throw new Error(
      `this test needs to mount a small tmpfs (root or CAP_SYS_ADMIN): ${(error as Error).message}`,
    );
  }
  // Builds with room: their images, and how many bytes each adds to the tmpfs.
  const roomy = path.join(mount, "shop");
  await cp(source, roomy, { recursive: true });
  let before = await freeBytes();
  const built = await runDray(["build", "--json"], { cwd: roomy });
  expect(built.code, built.stderr).toBe(0);
  reference = ids(built.stdout);
  footprint.project = before - (await freeBytes());
  await rm(roomy, { recursive: true, force: true });
  layoutProject = path.join(temp, "layout-project");
  await cp(source, layoutProject, { recursive: true });
  before = await freeBytes();
  const layoutBuilt = await runDray(["build", "--json", "--layout", path.join(mount, "oci")], {
    cwd: layoutProject,
  });
  expect(layoutBuilt.code, layoutBuilt.stderr).toBe(0);
  expect(ids(layoutBuilt.stdout)).toEqual(reference);
  footprint.layout = before - (await freeBytes());
  // Start the layout scenarios from nothing: neither the layout nor cache entries that point into it.
  await rm(path.join(mount, "oci"), { recursive: true, force: true });
  await rm(path.join(layoutProject, ".dray"), { recursive: true, force: true });
}, 300_000);

afterAll(async () => {
  if (mount) await run("umount", [mount]).catch(() => undefined);
  if (temp) await rm(temp, { recursive: true, force: true });
}, 60_000);

describe(`dray build on a full disk (a ${SIZE} tmpfs)`, () => {
  for (const { on, left: fraction } of SCENARIOS) {
    it(`the ${on} on a disk with ${fraction * 100}% of the room its build needs: a clear error, consistent state, then a build once there is room`, async () => {
      const root = on === "project" ? path.join(mount, "shop") : layoutProject;
      const layout = on === "project" ? path.join(root, ".dray", "oci") : path.join(mount, "oci");
      const args = on === "project" ? ["build"] : ["build", "--layout", layout];
      const filler = path.join(mount, "filler");
      const state = async () => [
        ...(await checkLayout(layout)),
        ...(await checkCache(path.join(root, ".dray", "cache"), layout)),
      ];
      if (on === "project") await cp(source, root, { recursive: true });
      try {
        const left = Math.floor(footprint[on] * fraction);
        await fillUntil(filler, left);
        const what = `${left} bytes free of the ${footprint[on]} a build adds to the ${on}'s disk`;

        const full = await runDray(args, { cwd: root });
        expect([1, 3], `${what}: exit code\n${full.stderr}`).toContain(full.code);
        expect(full.stderr, what).not.toMatch(/^ {4}at /m);
        expect(full.stderr, what).not.toContain("internal error");
        expect(full.stderr, what).toMatch(/^error: /m);
        expect(full.stderr, what).toMatch(/no space|disk is full|disk full|out of (disk )?space|ENOSPC/i);
        expect(await state(), `${what}: state after the failed build`).toEqual([]);

        await rm(filler);
        const roomy = await runDray([...args, "--json"], { cwd: root });
        expect(roomy.code, `${what}: the build once there is room\n${roomy.stderr}`).toBe(0);
        expect(ids(roomy.stdout), what).toEqual(reference);
        expect(await state(), `${what}: state after the build with room`).toEqual([]);
      } finally {
        await rm(filler, { force: true });
        await rm(on === "project" ? root : layout, { recursive: true, force: true });
        // The next scenario starts with no cache entries pointing into a layout removed here.
        if (on === "layout") await rm(path.join(root, ".dray"), { recursive: true, force: true });
      }
    }, 300_000);
  }
});
