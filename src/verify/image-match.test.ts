import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../cache/index.js";
import type { Digest } from "../oci/index.js";
import { type ImageSummary, keyDifferences, matchImages } from "./image-match.js";
import type { ProvenanceClaim } from "./provenance-claim.js";

const d = (c: string): Digest => `sha256:${c.repeat(64)}`;
const settings = { "go.toolchain": "go1.23.5", "go.args": "build -ldflags=-X=main.version=1.0.0" };
const platform = (name: string, key: string, id: string, manifest: string, extra = {}) => ({
  platform: name,
  key: d(key),
  imageId: d(id),
  manifest: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d(manifest), size: 1 },
  size: 1,
  ingredients: {
    format: 2,
    platform: name,
    settings: { ...settings, ...extra },
    files: {},
    packages: {},
    modules: {},
  },
});
const rebuilt: CacheEntry = {
  key: d("k"),
  service: "api",
  top: { mediaType: "application/vnd.oci.image.index.v1+json", digest: d("0"), size: 1 },
  platforms: [platform("linux/amd64", "1", "2", "3"), platform("linux/arm64", "4", "5", "6")],
  blobs: [],
  createdAt: 0,
};
const registryIndex: ImageSummary = {
  kind: "index",
  top: d("0"),
  platforms: [
    { platform: "linux/amd64", manifest: d("3"), imageId: d("2") },
    { platform: "linux/arm64", manifest: d("6"), imageId: d("5") },
  ],
};

describe("matchImages", () => {
  it("is identical when the index, every manifest and every image ID are", () => {
    const match = matchImages(registryIndex, rebuilt);
    expect(match.identical).toBe(true);
    expect(match.top).toEqual({ registry: d("0"), rebuilt: d("0"), identical: true });
  });

  it("names the platform whose image differs", () => {
    const registry = {
      ...registryIndex,
      top: d("9"),
      platforms: [
        registryIndex.platforms[0]!,
        { platform: "linux/arm64", manifest: d("7"), imageId: d("8") },
      ],
    };
    const match = matchImages(registry, rebuilt);
    expect(match.identical).toBe(false);
    expect(match.platforms.map((p) => [p.platform, p.identical])).toEqual([
      ["linux/amd64", true],
      ["linux/arm64", false],
    ]);
  });

  it("is not identical when only the index differs", () => {
    expect(matchImages({ ...registryIndex, top: d("9") }, rebuilt).identical).toBe(false);
  });

  it("says so when the rebuild lacks a platform the registry has", () => {
    const registry = {
      ...registryIndex,
      platforms: [...registryIndex.platforms, { platform: "linux/s390x", manifest: d("a"), imageId: d("b") }],
    };
    const s390x = matchImages(registry, rebuilt).platforms[2]!;
    expect(s390x).toMatchObject({ identical: false, rebuilt: undefined });
    expect(s390x.reason).toBe("the rebuild has no image for this platform");
  });

  it("compares one platform's manifest, pushed by its own digest, with that platform's rebuild", () => {
    const one: ImageSummary = { kind: "manifest", top: d("6"), platforms: [registryIndex.platforms[1]!] };
    const match = matchImages(one, rebuilt);
    expect(match.identical).toBe(true);
    expect(match.top.rebuilt).toBe(d("6"));
  });
});

const claim = (overrides: Partial<ProvenanceClaim> = {}): ProvenanceClaim => ({
  service: "api",
  configPath: "dray.yaml",
  configDigest: d("c"),
  repository: undefined,
  commit: "c".repeat(40),
  dirty: false,
  inputKey: d("k"),
  platforms: [
    { platform: "linux/amd64", inputKey: d("1"), imageId: d("2"), settings },
    { platform: "linux/arm64", inputKey: d("4"), imageId: d("5"), settings },
  ],
  subjects: [
    { name: "api", digest: d("0") },
    { name: "api linux/amd64", digest: d("3") },
    { name: "api linux/arm64", digest: d("6") },
  ],
  builder: "0.1.0",
  ...overrides,
});

describe("keyDifferences", () => {
  it("finds none when the keys are equal", () => {
    expect(keyDifferences(claim(), rebuilt)).toEqual([]);
  });

  it("names a recorded setting the rebuild did not meet, per platform", () => {
    const other: CacheEntry = {
      ...rebuilt,
      key: d("e"),
      platforms: [
        platform("linux/amd64", "f", "2", "3", { "go.toolchain": "go1.24.0" }),
        rebuilt.platforms[1]!,
      ],
    };
    expect(keyDifferences(claim(), other)).toEqual([
      "linux/amd64: setting go.toolchain: go1.23.5 → go1.24.0",
    ]);
  });

  it("says the files differ when every recorded setting matches", () => {
    const other = {
      ...rebuilt,
      key: d("e"),
      platforms: [platform("linux/amd64", "f", "2", "3"), rebuilt.platforms[1]!],
    };
    expect(keyDifferences(claim(), other)).toEqual([
      "linux/amd64: the same settings; the files or Go modules it is built from differ",
    ]);
  });

  it("names platforms recorded but not built, and built but not recorded", () => {
    const other = {
      ...rebuilt,
      key: d("e"),
      platforms: [rebuilt.platforms[1]!, platform("linux/riscv64", "8", "9", "a")],
    };
    expect(keyDifferences(claim(), other)).toEqual([
      "linux/amd64: recorded, but the checkout's dray.yaml does not build it",
      "linux/riscv64: built from the checkout, but not recorded",
    ]);
  });

  it("does not call a statement about one platform's manifest short of the others", () => {
    const one = claim({
      inputKey: d("e"),
      platforms: [claim().platforms[1]!],
      subjects: [{ name: "api linux/arm64", digest: d("6") }],
    });
    expect(keyDifferences(one, rebuilt)).toEqual([
      "the service's key differs on a platform this statement does not record",
    ]);
  });
});
