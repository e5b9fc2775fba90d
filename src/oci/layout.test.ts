import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { blobFromBytes } from "./blob.js";
import { digestHex, sha256Digest } from "./digest.js";
import { assembleImage, assembleImageSet } from "./image.js";
import { createLayer } from "./layer.js";
import { openLayout } from "./layout.js";
import { resolveImage } from "./resolve-image.js";
import { type Blob, type ImageSet, MediaType, type Platform } from "./types.js";

let temp: string;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-layout-"));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

async function imageSet(platforms: Platform[], content = "hi\n"): Promise<ImageSet> {
  const images = [];
  for (const platform of platforms) {
    const layer = await createLayer(
      [{ path: "app/hello", type: "file", mode: 0o755, data: Buffer.from(content) }],
      {
        mtime: 0,
        uid: 0,
        gid: 0,
        comment: "dray: app",
      },
    );
    images.push(
      assembleImage({ platform, layers: [layer], config: { Entrypoint: ["/app/hello"] }, created: 0 }),
    );
  }
  return assembleImageSet(images);
}

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64" };

/** Runs a plain Node script in another process (so it holds a different pid) and resolves with its pid when it exits. */
function runNode(script: string, onStdout?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    child.stdout.on("data", (chunk: Buffer) => onStdout?.(chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(child.pid!) : reject(new Error(`exit ${code}`))));
  });
}

describe("openLayout", () => {
  it("creates an empty layout", async () => {
    const dir = path.join(temp, "oci");
    const store = await openLayout(dir, { create: true });
    expect(store.root).toBe(dir);
    expect(await readFile(path.join(dir, "oci-layout"), "utf8")).toBe('{"imageLayoutVersion":"1.0.0"}');
    expect(JSON.parse(await readFile(path.join(dir, "index.json"), "utf8"))).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.index,
      manifests: [],
    });
    expect(await readdir(path.join(dir, "blobs", "sha256"))).toEqual([]);
    expect(await store.listTags()).toEqual({});
  });

  it.each([
    {
      description: "a missing directory without create",
      setup: async () => path.join(temp, "missing"),
      create: false,
      message: "does not exist",
    },
    {
      description: "an empty directory without create",
      setup: async () => temp,
      create: false,
      message: "no oci-layout",
    },
    {
      description: "a directory with other files",
      setup: async () => {
        await writeFile(path.join(temp, "notes.txt"), "x");
        return temp;
      },
      create: true,
      message: "other files",
    },
    {
      description: "a file",
      setup: async () => {
        await writeFile(path.join(temp, "file"), "x");
        return path.join(temp, "file");
      },
      create: true,
      message: "it is a file",
    },
    {
      description: "another layout version",
      setup: async () => {
        await writeFile(path.join(temp, "oci-layout"), '{"imageLayoutVersion":"2.0.0"}');
        return temp;
      },
      create: false,
      message: "imageLayoutVersion",
    },
  ])("rejects $description as a user error", async ({ setup, create, message }) => {
    const dir = await setup();
    await expect(openLayout(dir, { create })).rejects.toThrow(UserError);
    await expect(openLayout(dir, { create })).rejects.toThrow(message);
  });

  it("tolerates a layout another dray is creating at the same time", async () => {
    const dir = path.join(temp, "shared");
    await mkdir(dir);
    const stores = await Promise.all([openLayout(dir, { create: true }), openLayout(dir, { create: true })]);
    expect(stores).toHaveLength(2);
    expect(await stores[1]!.listTags()).toEqual({});
  });
});

describe("LayoutStore", () => {
  it("writes blobs, tags, resolves and re-tags", async () => {
    const store = await openLayout(temp, { create: true });
    const v1 = await imageSet([AMD64], "v1\n");
    const v2 = await imageSet([AMD64], "v2\n");
    await store.writeImageSet(v1);
    await store.writeImageSet(v2);
    await store.tag({ "api:latest": v1.top, "api:v1": v1.top });
    expect(await store.resolve("api:latest")).toEqual(v1.top);

    await store.tag({ "api:latest": v2.top });
    expect(await store.resolve("api:latest")).toEqual(v2.top);
    expect(await store.resolve("api:v1")).toEqual(v1.top);
    expect(await store.resolve("api:v9")).toBeUndefined();

    const index = JSON.parse(await readFile(path.join(temp, "index.json"), "utf8"));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations)).toEqual([
      { "org.opencontainers.image.ref.name": "api:latest" },
      { "org.opencontainers.image.ref.name": "api:v1" },
    ]);
    const image = v2.images[0]!;
    for (const blob of [image.config, image.manifest, image.layers[0]!.blob]) {
      expect(sha256Digest(await store.readBlob(blob.descriptor.digest))).toBe(blob.descriptor.digest);
    }
    // No temp files are left behind.
    expect((await readdir(temp)).sort()).toEqual(["blobs", "index.json", "oci-layout"]);
  });

  it("loses no tag when many are set at once, from one store or several", async () => {
    const set = await imageSet([AMD64]);
    const stores = [await openLayout(temp, { create: true }), await openLayout(temp), await openLayout(temp)];
    await stores[0]!.writeImageSet(set);
    const names = Array.from({ length: 30 }, (_, i) => `svc${i}:latest`);
    await Promise.all(names.map((name, i) => stores[i % stores.length]!.tag({ [name]: set.top })));
    expect(Object.keys(await stores[0]!.listTags()).sort()).toEqual([...names].sort());
  });

  it("never writes a blob whose bytes do not match its digest", async () => {
    const store = await openLayout(temp, { create: true });
    const honest = blobFromBytes(MediaType.config, Buffer.from("{}"));
    const liar: Blob = { descriptor: honest.descriptor, bytes: async () => Buffer.from("{ }") };
    await expect(store.writeBlob(liar)).rejects.toThrow(/nothing written/);
    expect(await store.hasBlob(honest.descriptor.digest)).toBe(false);
    expect(await readdir(path.join(temp, "blobs", "sha256"))).toEqual([]);
    expect((await readdir(temp)).filter((name) => name.startsWith(".dray-tmp-"))).toEqual([]);
    await store.writeBlob(honest);
    expect(await store.hasBlob(honest.descriptor.digest)).toBe(true);
  });

  it("reports a corrupted blob as a user error when reading it", async () => {
    const store = await openLayout(temp, { create: true });
    const blob = blobFromBytes(MediaType.config, Buffer.from("{}"));
    await store.writeBlob(blob);
    await writeFile(path.join(temp, "blobs", "sha256", digestHex(blob.descriptor.digest)), "{!}");
    await expect(store.readBlob(blob.descriptor.digest)).rejects.toThrow(/corrupted/);
  });

  it("rejects invalid tags and tags of blobs it does not have", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64]);
    await expect(store.tag({ "api:latest": set.top })).rejects.toThrow(/write the image first/);
    await store.writeImageSet(set);
    for (const bad of ["", "api latest", "-api", "api//x", "api:", "__proto__"]) {
      await expect(store.tag({ [bad]: set.top })).rejects.toThrow(UserError);
    }
    expect(await store.listTags()).toEqual({});
  });
});

describe("index.json lock", () => {
  it("waits for a lock held by another live process", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64]);
    await store.writeImageSet(set);
    const lock = path.join(temp, "index.json.lock");
    let locked!: () => void;
    const held = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = runNode(
      `import fs from "node:fs";
       const fd = fs.openSync(${JSON.stringify(lock)}, "wx"); fs.writeSync(fd, process.pid + " other\\n"); fs.closeSync(fd);
       console.log("locked");
       setTimeout(() => fs.unlinkSync(${JSON.stringify(lock)}), 400);`,
      () => locked(),
    );
    await held;
    const started = Date.now();
    await store.tag({ "api:latest": set.top });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    await holder;
    expect(await store.resolve("api:latest")).toEqual(set.top);
  });

  it("breaks the lock of a process that died", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64]);
    await store.writeImageSet(set);
    const deadPid = await runNode("");
    await writeFile(path.join(temp, "index.json.lock"), `${deadPid} crashed\n`);
    await store.tag({ "api:latest": set.top });
    expect(await store.resolve("api:latest")).toEqual(set.top);
    expect(await readdir(temp)).not.toContain("index.json.lock");
  });

  it("gives up after the timeout and leaves index.json as it was", async () => {
    const store = await openLayout(temp, { create: true, lockTimeoutMs: 200 });
    const set = await imageSet([AMD64]);
    await store.writeImageSet(set);
    const before = await readFile(path.join(temp, "index.json"), "utf8");
    await writeFile(path.join(temp, "index.json.lock"), `${process.pid} someone-else\n`);
    await expect(store.tag({ "api:latest": set.top })).rejects.toThrow(/timed out/);
    expect(await readFile(path.join(temp, "index.json"), "utf8")).toBe(before);
  });
});

describe("resolveImage", () => {
  it("follows an index to the manifest of the requested platform", async () => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64, ARM64]);
    await store.writeImageSet(set);
    await store.tag({ multi: set.top, single: set.images[0]!.manifest.descriptor });

    const arm = await resolveImage(store, "multi", ARM64);
    expect(arm.descriptor.digest).toBe(
      set.images.find((i) => i.platform.architecture === "arm64")!.manifest.descriptor.digest,
    );
    expect(arm.config.architecture).toBe("arm64");
    expect(arm.manifest.layers).toHaveLength(1);
    // arm64 without a variant is arm64/v8.
    expect((await resolveImage(store, "multi", { ...ARM64, variant: "v8" })).descriptor).toEqual(
      arm.descriptor,
    );
    expect((await resolveImage(store, "single")).config.architecture).toBe("amd64");
  });

  it.each([
    { ref: "nope", platform: AMD64, message: "no image tagged", details: "available: multi" },
    {
      ref: "multi",
      platform: { os: "linux", architecture: "s390x" },
      message: "no image for linux/s390x",
      details: "linux/amd64, linux/arm64",
    },
    { ref: "multi", platform: undefined, message: "multi-platform index", details: "linux/amd64" },
  ])("explains a missing $ref for $platform", async ({ ref, platform, message, details }) => {
    const store = await openLayout(temp, { create: true });
    const set = await imageSet([AMD64, ARM64]);
    await store.writeImageSet(set);
    await store.tag({ multi: set.top });
    const error = await resolveImage(store, ref, platform).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toContain(message);
    expect((error as UserError).details).toContain(details);
  });
});
