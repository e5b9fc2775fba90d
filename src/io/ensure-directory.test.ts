import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors/index.js";
import { ensureDirectory } from "./ensure-directory.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-ensure-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("ensureDirectory", () => {
  it("creates every missing directory and returns the first it made", async () => {
    const target = path.join(dir, "a", "b", "c");
    expect(await ensureDirectory(target)).toBe(path.join(dir, "a"));
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await ensureDirectory(target)).toBeUndefined();
  });

  it("names the file that stands where a directory is needed", async () => {
    await writeFile(path.join(dir, ".dray"), "");
    const error = await ensureDirectory(path.join(dir, ".dray", "oci", "blobs")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `${path.join(dir, ".dray")} is a file, where dray needs a directory`,
    );
  });
});
