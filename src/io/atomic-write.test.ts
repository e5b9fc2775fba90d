import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../errors/index.js";
import { writeFileAtomic } from "./atomic-write.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-atomic-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it.each([
    { description: "a string, as UTF-8", data: "héllo\n", fsync: undefined },
    { description: "a buffer, byte for byte", data: Buffer.from([0, 255, 10, 13]), fsync: true },
    { description: "without fsync", data: "cache\n", fsync: false },
  ])("writes $description and leaves only the target", async ({ data, fsync }) => {
    const target = path.join(dir, "out");
    await writeFileAtomic(target, data, fsync === undefined ? {} : { fsync });
    expect(await readFile(target)).toEqual(Buffer.from(data));
    expect(await readdir(dir)).toEqual(["out"]);
  });

  it("replaces an existing file", async () => {
    const target = path.join(dir, "out");
    await writeFile(target, "old, and longer than the new text");
    await writeFileAtomic(target, "new");
    expect(await readFile(target, "utf8")).toBe("new");
  });

  it("removes its temp file when the rename fails, leaving the target as it was", async () => {
    const target = path.join(dir, "taken");
    await mkdir(target);
    await writeFile(path.join(target, "inside"), "kept");
    await expect(writeFileAtomic(target, "x")).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["taken"]);
    expect(await readFile(path.join(target, "inside"), "utf8")).toBe("kept");
  });

  it("gives concurrent writers one complete file, never a mix", async () => {
    const target = path.join(dir, "out");
    const texts = Array.from({ length: 20 }, (_, i) => `${String(i).repeat(10_000)}\n`);
    await Promise.all(texts.map((text) => writeFileAtomic(target, text)));
    expect(texts).toContain(await readFile(target, "utf8"));
    expect(await readdir(dir)).toEqual(["out"]);
  });
});

describe("writeFileAtomic on a file system that says no", () => {
  it("names the target, not its temp file, and says what is in the way", async () => {
    await writeFile(path.join(dir, "state"), "a file where a directory should be");
    const target = path.join(dir, "state", "index.json");
    const error = await writeFileAtomic(target, "{}").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `${path.join(dir, "state")} is a file, where dray needs a directory`,
    );
    expect((error as UserError).exitCode).toBe(3);
  });
});
