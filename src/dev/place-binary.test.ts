import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compileInPlace, sameContent } from "./place-binary.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-place-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A compiler that writes `bytes` where it is told, remembering where. */
const writing = (bytes: Buffer | string, outs: string[] = []) => ({
  outs,
  compileTo: async (out: string) => {
    outs.push(out);
    await writeFile(out, bytes);
    return { ok: true as const };
  },
});

describe("compileInPlace", () => {
  it("compiles to a temporary name beside the live binary, then renames it into place", async () => {
    const live = path.join(dir, "bin-1");
    await writeFile(live, "old binary");
    const compiler = writing("new binary");
    const compiled = await compileInPlace(compiler.compileTo, live);
    expect(compiled.ok).toBe(true);
    // Until the swap, the live name still holds the old binary; the new one waits under another name.
    expect(path.dirname(compiler.outs[0]!)).toBe(dir);
    expect(path.basename(compiler.outs[0]!)).toMatch(/^\.tmp-/);
    expect(await readFile(live, "utf8")).toBe("old binary");
    expect(await (compiled as { swap: () => Promise<boolean> }).swap()).toBe(true);
    expect(await readFile(live, "utf8")).toBe("new binary");
    expect(await readdir(dir)).toEqual(["bin-1"]);
  });

  it("the first binary of a container takes the live name", async () => {
    const live = path.join(dir, "bin-1");
    const compiled = await compileInPlace(writing("first").compileTo, live);
    expect(await (compiled as { swap: () => Promise<boolean> }).swap()).toBe(true);
    expect(await readFile(live, "utf8")).toBe("first");
  });

  it("keeps the live binary and drops the new one when they are the same bytes", async () => {
    const live = path.join(dir, "bin-1");
    await writeFile(live, "same");
    const compiled = await compileInPlace(writing("same").compileTo, live);
    expect(await (compiled as { swap: () => Promise<boolean> }).swap()).toBe(false);
    expect(await readdir(dir)).toEqual(["bin-1"]);
  });

  it("a failed compile leaves the live binary and no temporary file", async () => {
    const live = path.join(dir, "bin-1");
    await writeFile(live, "old");
    const compiled = await compileInPlace(async (out) => {
      await writeFile(out, "half");
      return { ok: false, output: "main.go:1: syntax error" };
    }, live);
    expect(compiled).toEqual({ ok: false, output: "main.go:1: syntax error" });
    expect(await readdir(dir)).toEqual(["bin-1"]);
    expect(await readFile(live, "utf8")).toBe("old");
  });
});

describe("sameContent", () => {
  it("compares sizes, then bytes across chunk boundaries", async () => {
    const big = Buffer.alloc(3 * (1 << 20) + 17, 7);
    const other = Buffer.from(big);
    other[big.length - 1] = 8;
    await writeFile(path.join(dir, "a"), big);
    await writeFile(path.join(dir, "b"), big);
    await writeFile(path.join(dir, "c"), other);
    await writeFile(path.join(dir, "d"), big.subarray(1));
    expect(await sameContent(path.join(dir, "a"), path.join(dir, "b"))).toBe(true);
    expect(await sameContent(path.join(dir, "a"), path.join(dir, "c"))).toBe(false);
    expect(await sameContent(path.join(dir, "a"), path.join(dir, "d"))).toBe(false);
    expect(await sameContent(path.join(dir, "a"), path.join(dir, "missing"))).toBe(false);
  });
});
