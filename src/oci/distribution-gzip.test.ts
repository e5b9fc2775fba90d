import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Digest } from "./digest.js";
import { COMPRESSOR_ID, DISTRIBUTION_COMPRESSOR, gzipToFile } from "./distribution-gzip.js";

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-dist-gzip-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** 700 KB that compress somewhat, like a binary: the same bytes on every machine. */
function sample(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < 700_000; i++) {
    const block = createHash("sha256").update(String(i)).digest();
    parts.push(i % 3 === 0 ? Buffer.from(block.toString("hex").slice(0, 32)) : block);
  }
  return Buffer.concat(parts);
}

async function* chunked(data: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  for (let at = 0, i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield data.subarray(at, at + size);
    at += size;
  }
}

describe("gzipToFile", () => {
  it("writes the same bytes however the input is read, and they decompress to the input", async () => {
    const data = sample();
    const results = [];
    for (const [i, sizes] of [[65_536], [1, 100_000, 7], [700_000], [13_001, 4096]].entries()) {
      const file = path.join(temp, `out-${i}.gz`);
      const written = await gzipToFile(chunked(data, sizes), file);
      const bytes = await readFile(file);
      expect(written).toEqual({ digest: sha256Digest(bytes), size: bytes.length });
      expect(gunzipSync(bytes).equals(data)).toBe(true);
      results.push(written.digest);
    }
    expect(new Set(results).size).toBe(1);
  });

  it("normalises the header: no time, no name, OS unknown", async () => {
    const file = path.join(temp, "out.gz");
    await gzipToFile(chunked(Buffer.from("hello\n"), [6]), file);
    const header = (await readFile(file)).subarray(0, 10);
    expect([...header]).toEqual([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xff]);
  });

  // A pushed manifest names these digests: a compressor that compresses differently would move every
  // pushed digest, so the output for a fixed input is pinned together with the compressor's identity.
  it("gives the pinned digest for a fixed input with the pinned compressor", async () => {
    const file = path.join(temp, "out.gz");
    const written = await gzipToFile(chunked(sample(), [65_536]), file);
    expect(COMPRESSOR_ID).toBe("gzip fflate@0.8.3 level 1");
    expect(written.digest).toBe("sha256:6d038d884f63d335df5bb7c0aeb1d4809419bebca40e864ff5ef66ef3b0d9bf8");
  });

  it("uses the installed compressor it names, pinned exactly in package.json", async () => {
    const require = createRequire(import.meta.url);
    const installed = require("fflate/package.json") as { version: string };
    const manifest = JSON.parse(await readFile(path.join(import.meta.dirname, "../../package.json"), "utf8"));
    expect(installed.version).toBe(DISTRIBUTION_COMPRESSOR.version);
    expect(manifest.dependencies.fflate).toBe(DISTRIBUTION_COMPRESSOR.version);
  });

  it("removes its file when the input fails", async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(200_000, 1);
      throw new Error("read failed");
    }
    await expect(gzipToFile(failing(), path.join(temp, "out.gz"))).rejects.toThrow("read failed");
    expect(await readdir(temp)).toEqual([]);
  });
});
