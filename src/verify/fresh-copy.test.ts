import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { copyProject, projectFiles } from "./fresh-copy.js";

let base: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "dray-fresh-copy-"));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe("a fresh copy of a project outside git", () => {
  it("keeps empty directories (a command service's dir may be one) and leaves out .dray", async () => {
    const root = path.join(base, "project");
    await mkdir(path.join(root, "site"), { recursive: true });
    await mkdir(path.join(root, "web", "static"), { recursive: true });
    await mkdir(path.join(root, ".dray", "tmp"), { recursive: true });
    await writeFile(path.join(root, "dray.yaml"), "project: p\n");
    await writeFile(path.join(root, "web", "index.html"), "<p>");
    const files = await projectFiles(root);
    expect(files.sort()).toEqual(["dray.yaml", "site/", "web/index.html", "web/static/"]);
    const copy = path.join(base, "copy");
    await copyProject(root, copy, files, { umask: 0o077, mtime: 1_000_000 });
    expect((await readdir(copy)).sort()).toEqual(["dray.yaml", "site", "web"]);
    const site = await stat(path.join(copy, "site"));
    expect([site.isDirectory(), site.mode & 0o777, site.mtimeMs / 1000]).toEqual([true, 0o700, 1_000_000]);
    expect(await readdir(path.join(copy, "web", "static"))).toEqual([]);
  });
});
