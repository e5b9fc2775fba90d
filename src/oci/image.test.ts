import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { blobFromBytes } from "./blob.js";
import { assembleImage, assembleImageSet, type BaseImage, formatCreated } from "./image.js";
import { createLayer } from "./layer.js";
import type { TarEntry } from "./tar.js";
import { type ImageConfigFile, type Layer, MediaType, type Platform } from "./types.js";

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64", variant: "v8" };
const TAR = { mtime: 0, uid: 0, gid: 0 };

const APP: TarEntry[] = [
  { path: "app/", type: "dir" },
  { path: "app/hello", type: "file", mode: 0o755, data: Buffer.from("hi\n") },
  { path: "app/link", type: "symlink", linkTarget: "hello" },
];

async function json(blob: { bytes(): Promise<Buffer> }): Promise<Record<string, unknown>> {
  return JSON.parse((await blob.bytes()).toString("utf8"));
}

/** An in-memory base image with `count` layers; `history` false leaves the config without history. */
async function makeBase(count: number, history = true): Promise<BaseImage> {
  const layers: Layer[] = [];
  for (let i = 0; i < count; i++) {
    layers.push(
      await createLayer([{ path: `base/${i}`, type: "file", data: Buffer.from(String(i)) }], {
        ...TAR,
        comment: `base layer ${i}`,
      }),
    );
  }
  const config: ImageConfigFile = {
    architecture: "amd64",
    os: "linux",
    created: "2024-01-01T00:00:00Z",
    config: {
      Env: ["PATH=/usr/bin", "LANG=C"],
      Cmd: ["sh"],
      Labels: { base: "yes", shared: "base" },
      User: "0",
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: history
      ? [
          { created: "2024-01-01T00:00:00Z", created_by: "ENV LANG=C", empty_layer: true },
          ...layers.map((_, i) => ({ created: "2024-01-01T00:00:00Z", created_by: `ADD base ${i}` })),
        ]
      : undefined,
  };
  return { platform: AMD64, config, layers, manifestDigest: `sha256:${"b".repeat(64)}` };
}

describe("assembleImage golden values", () => {
  it("writes the frozen config and manifest", async () => {
    const layer = await createLayer(APP, { ...TAR, comment: "dray: app" });
    const image = assembleImage({
      platform: AMD64,
      layers: [layer],
      config: { Entrypoint: ["/app/hello"], Env: ["PATH=/usr/bin"] },
      created: 0,
    });
    expect((await image.config.bytes()).toString()).toBe(
      '{"architecture":"amd64","config":{"Entrypoint":["/app/hello"],"Env":["PATH=/usr/bin"]},' +
        '"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"dray: app"}],' +
        '"os":"linux","rootfs":{"diff_ids":["sha256:5fbeb65b57213823e41e9ab6f74537029a52a2a2edb50b6e88ed4da5288885b3"],' +
        '"type":"layers"}}',
    );
    // The image ID: stable across machines and Node versions (it names only uncompressed content).
    expect(image.id).toBe("sha256:29ee9a49994fc4e67cdcf90d37b65a2e04c4375c46c6f249bd8f6d478f7740f3");
    expect(image.config.descriptor).toEqual({ mediaType: MediaType.config, digest: image.id, size: 319 });
    // The manifest names the gzip blob, so this digest is pinned to Node 20's bundled zlib: a Node
    // upgrade may change it (and the layer digest) while the image ID above stays put.
    expect(layer.blob.descriptor.digest).toBe(
      "sha256:94a39d8ea96fb61ea68cec3e9d598ff20a4af8c76bcb41e9152f6c374f263a34",
    );
    expect(image.manifest.descriptor.digest).toBe(
      "sha256:c8c763209f11cf51bd2507f4bc69dc26de35c8c845f5f98b8153584d6910d6d1",
    );
  });
});

describe("assembleImage", () => {
  it("stacks our layers on the base's, in diff_ids, manifest and history alike", async () => {
    const base = await makeBase(2);
    const ours = [
      await createLayer([{ path: "app/a", type: "file" }], { ...TAR, comment: "dray: a" }),
      await createLayer([{ path: "app/b", type: "file" }], { ...TAR, comment: "dray: b" }),
    ];
    const image = assembleImage({ platform: AMD64, base, layers: ours, config: {}, created: 1_700_000_000 });
    const config = (await json(image.config)) as unknown as ImageConfigFile;
    const manifest = (await json(image.manifest)) as { layers: { digest: string }[]; annotations: object };
    const all = [...base.layers, ...ours];

    expect(config.rootfs.diff_ids).toEqual(all.map((l) => l.diffId));
    expect(manifest.layers.map((l) => l.digest)).toEqual(all.map((l) => l.blob.descriptor.digest));
    expect(image.layers).toEqual(all);
    expect(config.history!.filter((h) => !h.empty_layer)).toHaveLength(all.length);
    expect(config.history!.map((h) => h.created_by)).toEqual([
      "ENV LANG=C",
      "ADD base 0",
      "ADD base 1",
      "dray: a",
      "dray: b",
    ]);
    expect(config.created).toBe("2023-11-14T22:13:20Z");
    expect(manifest.annotations).toEqual({
      "org.opencontainers.image.created": "2023-11-14T22:13:20Z",
      "org.opencontainers.image.base.digest": base.manifestDigest,
    });
  });

  it("synthesizes history for a base that has none", async () => {
    const image = assembleImage({
      platform: AMD64,
      base: await makeBase(2, false),
      layers: [],
      config: {},
      created: 0,
    });
    const config = (await json(image.config)) as unknown as ImageConfigFile;
    expect(config.history).toEqual([
      { created: "1970-01-01T00:00:00Z", created_by: "base layer 0" },
      { created: "1970-01-01T00:00:00Z", created_by: "base layer 1" },
    ]);
  });

  it("rejects a base whose history names more layers than it has", async () => {
    const base = await makeBase(1);
    base.config.history!.push({ created_by: "ADD phantom" });
    expect(() => assembleImage({ platform: AMD64, base, layers: [], config: {}, created: 0 })).toThrow(
      UserError,
    );
  });

  it("merges the runtime config over the base's", async () => {
    const image = assembleImage({
      platform: AMD64,
      base: await makeBase(1),
      layers: [],
      config: {
        Env: ["TZ=UTC", "PATH=/app:/usr/bin"],
        Entrypoint: ["/app/api"],
        Labels: { shared: "ours", app: "api" },
        ExposedPorts: { "8080/tcp": {} },
        WorkingDir: "",
      },
      created: 0,
    });
    expect(((await json(image.config)) as unknown as ImageConfigFile).config).toEqual({
      Env: ["LANG=C", "PATH=/app:/usr/bin", "TZ=UTC"], // merged by name, ours wins, sorted by name
      Entrypoint: ["/app/api"], // and the base's Cmd ["sh"] is dropped, as Docker does
      Labels: { app: "api", base: "yes", shared: "ours" },
      ExposedPorts: { "8080/tcp": {} },
      User: "0",
    });
  });

  it("gives identical digests for the same inputs built in a different order", async () => {
    const reordered = [...APP].reverse();
    const build = async (entries: TarEntry[], env: string[], labels: Record<string, string>) =>
      assembleImage({
        platform: AMD64,
        layers: [await createLayer(entries, { ...TAR, comment: "dray: app" })],
        config: { Env: env, Labels: labels },
        created: 0,
        annotations: { "org.example.b": "2", "org.example.a": "1" },
      });
    const a = await build(APP, ["B=2", "A=1"], { y: "2", x: "1" });
    const b = await build(reordered, ["A=1", "B=2"], { x: "1", y: "2" });
    expect(b.id).toBe(a.id);
    expect(b.manifest.descriptor.digest).toBe(a.manifest.descriptor.digest);
  });

  it("refuses Docker layer media types, so OCI and Docker types never mix", async () => {
    const docker: Layer = {
      blob: blobFromBytes(MediaType.dockerLayerGzip, Buffer.from("x")),
      diffId: `sha256:${"0".repeat(64)}`,
      uncompressedSize: 0,
      comment: "docker",
    };
    expect(() => assembleImage({ platform: AMD64, layers: [docker], config: {}, created: 0 })).toThrow(
      /non-OCI/,
    );
  });
});

describe("assembleImageSet", () => {
  const image = async (platform: Platform) =>
    assembleImage({
      platform,
      layers: [await createLayer(APP, { ...TAR, comment: "dray: app" })],
      config: {},
      created: 0,
    });

  it("points at the manifest when there is one image", async () => {
    const single = await image(AMD64);
    const set = assembleImageSet([single]);
    expect(set.index).toBeUndefined();
    expect(set.top).toEqual(single.manifest.descriptor);
    expect(set.top.platform).toEqual({ os: "linux", architecture: "amd64" });
  });

  it("builds an index sorted by platform, whatever the build order", async () => {
    const [amd, arm, armv7] = [
      await image(AMD64),
      await image(ARM64),
      await image({ os: "linux", architecture: "arm", variant: "v7" }),
    ];
    const a = assembleImageSet([arm, armv7, amd], { "org.example": "x" });
    const b = assembleImageSet([amd, arm, armv7], { "org.example": "x" });
    expect(b.top.digest).toBe(a.top.digest);
    expect(a.top.mediaType).toBe(MediaType.index);
    const index = (await json(a.index!)) as { manifests: { digest: string; platform: Platform }[] };
    expect(index.manifests.map((m) => m.platform)).toEqual([
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm", variant: "v7" },
      { os: "linux", architecture: "arm64", variant: "v8" },
    ]);
    expect(index.manifests[0]!.digest).toBe(amd.manifest.descriptor.digest);
    expect(index).toMatchObject({
      schemaVersion: 2,
      mediaType: MediaType.index,
      annotations: { "org.example": "x" },
    });
  });

  it("rejects two images for one platform", async () => {
    const amd = await image(AMD64);
    expect(() => assembleImageSet([amd, amd])).toThrow(/two images for platform linux\/amd64/);
  });
});

describe("formatCreated", () => {
  it.each([
    { seconds: 0, text: "1970-01-01T00:00:00Z" },
    { seconds: 1_700_000_000, text: "2023-11-14T22:13:20Z" },
  ])("formats $seconds as $text", ({ seconds, text }) => {
    expect(formatCreated(seconds)).toBe(text);
  });

  it("rejects fractional and negative times", () => {
    expect(() => formatCreated(1.5)).toThrow(RangeError);
    expect(() => formatCreated(-1)).toThrow(RangeError);
  });
});
