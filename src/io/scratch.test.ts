import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeScratch, sweepStaleScratch } from "./scratch.js";

let tmpRoot: string;
const host = os.hostname().replace(/[^A-Za-z0-9.]/g, "_");

beforeEach(async () => {
  tmpRoot = path.join(await mkdtemp(path.join(os.tmpdir(), "dray-scratch-")), ".dray", "tmp");
});
afterEach(async () => {
  await rm(path.dirname(path.dirname(tmpRoot)), { recursive: true, force: true });
});

describe("makeScratch", () => {
  it("creates the tmp root and a new directory named after kind, host and pid", async () => {
    const dir = await makeScratch(tmpRoot, "verify");
    expect(path.dirname(dir)).toBe(tmpRoot);
    expect(path.basename(dir)).toMatch(
      new RegExp(`^verify-${host.replace(/\./g, "\\.")}-${process.pid}-[0-9a-f]{8}$`),
    );
    expect(await readdir(dir)).toEqual([]);
    expect(await makeScratch(tmpRoot, "verify")).not.toBe(dir);
  });

  it("removes what a dead run of this host left, and nothing else", async () => {
    const dead = `build-${host}-4000000-0123abcd`;
    const live = `build-${host}-${process.pid}-0123abcd`;
    const otherHost = "build-elsewhere-4000000-0123abcd";
    const notScratch = "notes";
    for (const name of [dead, live, otherHost, notScratch]) {
      await mkdir(path.join(tmpRoot, name, "outputs"), { recursive: true });
    }
    const made = await makeScratch(tmpRoot, "build");
    expect((await readdir(tmpRoot)).sort()).toEqual(
      [live, otherHost, notScratch, path.basename(made)].sort(),
    );
  });
});

describe("sweepStaleScratch", () => {
  it("asks whether each owner is alive and names what it removed", async () => {
    await mkdir(path.join(tmpRoot, `since-${host}-17-deadbeef`), { recursive: true });
    await mkdir(path.join(tmpRoot, `since-${host}-18-deadbeef`), { recursive: true });
    const removed = await sweepStaleScratch(tmpRoot, (pid) => pid === 18);
    expect(removed).toEqual([`since-${host}-17-deadbeef`]);
    expect(await readdir(tmpRoot)).toEqual([`since-${host}-18-deadbeef`]);
  });

  it("does nothing when there is no tmp root", async () => {
    expect(await sweepStaleScratch(path.join(tmpRoot, "none"))).toEqual([]);
  });
});
