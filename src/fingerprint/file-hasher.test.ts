import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { createFileHasher } from "./file-hasher.js";

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
/** A clock far enough ahead that files written just now are outside the racy window. */
const later = () => Date.now() + 10_000;

let dir: string;
let cacheFile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dray-hasher-"));
  cacheFile = path.join(dir, ".dray", "cache", "stat-cache.tsv");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

describe("createFileHasher", () => {
  it.each([
    { description: "an empty file", size: 0 },
    { description: "a small file", size: 10 },
    { description: "a file exactly at the stream threshold", size: 1024 * 1024 },
    { description: "a streamed file just above it", size: 1024 * 1024 + 1 },
    { description: "a streamed file of several chunks", size: 3 * 1024 * 1024 + 17 },
  ])("hashes $description like sha256 of its bytes", async ({ size }) => {
    const content = Buffer.alloc(size, "ab");
    const file = await put("f", content);
    const hasher = await createFileHasher({ cacheFile: undefined });
    expect(await hasher.hash(file)).toBe(sha256(content));
  });

  it("answers from the cache in a second hasher sharing the cache file", async () => {
    const a = await put("a.txt", "alpha");
    const b = await put("b.txt", "beta");
    const first = await createFileHasher({ cacheFile, now: later });
    const firstHashes = await first.hashAll([a, b, a]);
    await first.save();
    const second = await createFileHasher({ cacheFile, now: later });
    const secondHashes = await second.hashAll([a, b]);

    expect(first.stats()).toEqual({ hits: 0, misses: 2 });
    expect(second.stats()).toEqual({ hits: 2, misses: 0 });
    expect([...firstHashes]).toEqual([
      [a, sha256("alpha")],
      [b, sha256("beta")],
    ]);
    expect(secondHashes).toEqual(firstHashes);
  });

  it("does not rewrite the cache file when every lookup was a hit", async () => {
    const a = await put("a.txt", "alpha");
    const first = await createFileHasher({ cacheFile, now: later });
    await first.hash(a);
    await first.save();
    const before = await stat(cacheFile, { bigint: true });
    const second = await createFileHasher({ cacheFile, now: later });
    await second.hash(a);
    await second.save();
    const after = await stat(cacheFile, { bigint: true });
    expect(second.stats().hits).toBe(1);
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
  });

  it.each([
    { description: "within 2 s of the file's timestamps (racy)", now: () => Date.now(), hits: 0, misses: 1 },
    { description: "well after the file's timestamps", now: later, hits: 1, misses: 0 },
  ])("trusts an entry recorded $description only when old enough", async ({ now, hits, misses }) => {
    const file = await put("a.txt", "alpha");
    const first = await createFileHasher({ cacheFile, now });
    await first.hash(file);
    await first.save();
    const second = await createFileHasher({ cacheFile, now });
    expect(await second.hash(file)).toBe(sha256("alpha"));
    expect(second.stats()).toEqual({ hits, misses });
  });

  it("detects a same-size edit that keeps the mtime, made inside the racy window", async () => {
    const file = await put("a.txt", "aaaa");
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000);
    await utimes(file, mtime, mtime);
    const first = await createFileHasher({ cacheFile });
    await first.hash(file);
    await first.save();
    await writeFile(file, "bbbb");
    await utimes(file, mtime, mtime);
    const second = await createFileHasher({ cacheFile });
    expect(await second.hash(file)).toBe(sha256("bbbb"));
  });

  it.each([
    { description: "same size, new mtime", content: "omega", keepMtime: false },
    { description: "different size", content: "omega and more", keepMtime: false },
    { description: "same size, mtime put back (ctime still moves)", content: "omega", keepMtime: true },
  ])("re-hashes after a change outside the racy window: $description", async ({ content, keepMtime }) => {
    const file = await put("a.txt", "alpha");
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    const first = await createFileHasher({ cacheFile, now: later });
    await first.hash(file);
    await first.save();
    await writeFile(file, content);
    if (keepMtime) await utimes(file, old, old);
    const second = await createFileHasher({ cacheFile, now: later });
    expect(await second.hash(file)).toBe(sha256(content));
    expect(second.stats()).toEqual({ hits: 0, misses: 1 });
  });

  it.each([
    { description: "a missing file", name: "missing.txt", message: "input file not found" },
    {
      description: "a file under a missing directory",
      name: "nope/missing.txt",
      message: "input file not found",
    },
    { description: "a directory", name: ".", message: "not a regular file" },
  ])("rejects $description with a UserError naming it", async ({ name, message }) => {
    const hasher = await createFileHasher({ cacheFile: undefined });
    const target = path.join(dir, name);
    const error = await hasher.hash(target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(message);
    expect((error as UserError).message).toContain(target);
  });

  it.each([
    { description: "binary garbage", corrupt: () => "\u0000\u0001garbage\n" },
    { description: "an empty file", corrupt: () => "" },
    { description: "a JSON document", corrupt: () => '{"entries":[]}\n' },
    { description: "a file cut short", corrupt: (text: string) => text.slice(0, -10) },
    {
      description: "a bad hash",
      corrupt: (text: string) => text.replace(/[0-9a-f]{64}\n$/, `${"z".repeat(64)}\n`),
    },
    { description: "a short hash", corrupt: (text: string) => text.replace(/[0-9a-f]{4}\n$/, "\n") },
  ])("ignores a corrupt cache: $description", async ({ corrupt }) => {
    const file = await put("a.txt", "alpha");
    const first = await createFileHasher({ cacheFile, now: later });
    await first.hash(file);
    await first.save();
    await writeFile(cacheFile, corrupt(await readFile(cacheFile, "utf8")));
    const second = await createFileHasher({ cacheFile, now: later });
    expect(await second.hash(file)).toBe(sha256("alpha"));
    expect(second.stats()).toEqual({ hits: 0, misses: 1 });
  });

  it("keeps nothing on disk without a cache file", async () => {
    const file = await put("a.txt", "alpha");
    const hasher = await createFileHasher({ cacheFile: undefined, now: later });
    await hasher.hash(file);
    await hasher.save();
    await hasher.hash(file);
    expect(hasher.stats()).toEqual({ hits: 1, misses: 1 });
    await expect(stat(path.join(dir, ".dray"))).rejects.toThrow();
  });

  it("reloads a 10k-entry cache and answers every lookup from it", async () => {
    const files: string[] = [];
    for (let i = 0; i < 10_000; i += 500) {
      const batch = Array.from({ length: 500 }, (_, j) => put(`f${i + j}.txt`, `content ${i + j}`));
      files.push(...(await Promise.all(batch)));
    }
    const first = await createFileHasher({ cacheFile, now: later });
    await first.hashAll(files);
    await first.save();

    // Printed, not asserted: timing assertions make tests flaky; speed is measured in bench/.
    const started = process.hrtime.bigint();
    const second = await createFileHasher({ cacheFile, now: later });
    const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`stat cache: loaded 10k entries in ${loadMs.toFixed(1)} ms`);
    const hashes = await second.hashAll(files);

    expect(second.stats()).toEqual({ hits: 10_000, misses: 0 });
    expect(hashes.get(files[1234]!)).toBe(sha256("content 1234"));
  });
});
