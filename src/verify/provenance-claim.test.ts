import { describe, expect, it } from "vitest";
import { type ProvenanceInput, provenanceStatement } from "../attest/index.js";
import type { CacheEntry } from "../cache/index.js";
import type { Digest } from "../oci/index.js";
import { claimsAbout, readClaim, unprovable } from "./provenance-claim.js";

const d = (c: string): Digest => `sha256:${c.repeat(64)}`;
const COMMIT = "c".repeat(40);
const manifestOf = (digest: Digest) => ({
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  digest,
  size: 400,
});
const ingredients = (platform: string) => ({
  format: 2,
  platform,
  settings: { "go.toolchain": "go1.23.5", "go.args": "build -trimpath" },
  files: {},
  packages: {},
  modules: {},
});
const entry: CacheEntry = {
  key: d("8"),
  service: "api",
  top: { mediaType: "application/vnd.oci.image.index.v1+json", digest: d("0"), size: 300 },
  platforms: [
    {
      platform: "linux/amd64",
      key: d("1"),
      imageId: d("2"),
      manifest: manifestOf(d("3")),
      size: 1,
      ingredients: ingredients("linux/amd64"),
    },
    {
      platform: "linux/arm64",
      key: d("4"),
      imageId: d("5"),
      manifest: manifestOf(d("6")),
      size: 1,
      ingredients: ingredients("linux/arm64"),
    },
  ],
  blobs: [],
  createdAt: 0,
};

const statement = (overrides: Partial<ProvenanceInput> = {}): Buffer =>
  provenanceStatement({
    service: "api",
    entry,
    subjects: [
      { name: "api", descriptor: entry.top },
      { name: "api linux/amd64", descriptor: entry.platforms[0]!.manifest },
      { name: "api linux/arm64", descriptor: entry.platforms[1]!.manifest },
    ],
    source: { repository: "https://git.example.test/shop.git", commit: COMMIT, dirty: false },
    configDigest: d("9"),
    configPath: "shop/dray.yaml",
    drayVersion: "0.1.0",
    ...overrides,
  });

describe("readClaim", () => {
  it("reads back what dray's provenance records", () => {
    expect(readClaim(statement())).toEqual({
      service: "api",
      configPath: "shop/dray.yaml",
      configDigest: d("9"),
      repository: "https://git.example.test/shop.git",
      commit: COMMIT,
      dirty: false,
      inputKey: d("8"),
      platforms: [
        { platform: "linux/amd64", inputKey: d("1"), imageId: d("2"), settings: ingredients("").settings },
        { platform: "linux/arm64", inputKey: d("4"), imageId: d("5"), settings: ingredients("").settings },
      ],
      subjects: [
        { name: "api", digest: d("0") },
        { name: "api linux/amd64", digest: d("3") },
        { name: "api linux/arm64", digest: d("6") },
      ],
      builder: "0.1.0",
    });
  });

  // biome-ignore lint/suspicious/noExplicitAny: each case reaches into the parsed statement to break one field
  const mutated = (edit: (s: Record<string, any>) => void): Buffer => {
    const parsed = JSON.parse(statement().toString("utf8"));
    edit(parsed);
    return Buffer.from(JSON.stringify(parsed));
  };

  it.each<{ what: string; bytes: Buffer }>([
    { what: "not JSON", bytes: Buffer.from("{") },
    { what: "an SBOM", bytes: Buffer.from(JSON.stringify({ spdxVersion: "SPDX-2.3" })) },
    {
      what: "another predicate",
      bytes: mutated((s) => {
        s.predicateType = "https://slsa.dev/provenance/v0.2";
      }),
    },
    {
      what: "another builder's build type",
      bytes: mutated((s) => {
        s.predicate.buildDefinition.buildType = "https://example.test/build";
      }),
    },
    {
      what: "an input key that is not a digest",
      bytes: mutated((s) => {
        s.predicate.buildDefinition.internalParameters.inputKey = "latest";
      }),
    },
    {
      what: "a platform without an image ID",
      bytes: mutated(
        (s) => delete s.predicate.buildDefinition.internalParameters.platforms["linux/amd64"].imageId,
      ),
    },
    {
      what: "no subject",
      bytes: mutated((s) => {
        s.subject = [];
      }),
    },
  ])("skips $what", ({ bytes }) => {
    expect(readClaim(bytes)).toBeUndefined();
  });

  it("treats a statement that does not say the tree was clean as dirty", () => {
    const claim = readClaim(
      mutated((s) => delete s.predicate.buildDefinition.externalParameters.source.dirty),
    );
    expect(claim?.dirty).toBe(true);
  });
});

describe("claimsAbout", () => {
  it("keeps the statements about the digest, once each, ordered by commit", () => {
    const other = statement({ source: { repository: undefined, commit: "a".repeat(40), dirty: false } });
    const aboutAnother = statement({
      subjects: [{ name: "api", descriptor: manifestOf(d("e")) }],
      source: { repository: undefined, commit: "b".repeat(40), dirty: false },
    });
    const claims = claimsAbout([statement(), Buffer.from("junk"), statement(), other, aboutAnother], d("3"));
    expect(claims.map((c) => c.commit)).toEqual(["a".repeat(40), COMMIT]);
  });

  it("finds none when nothing is about the digest", () => {
    expect(claimsAbout([statement()], d("f"))).toEqual([]);
  });
});

describe("unprovable", () => {
  it.each<{ what: string; source: ProvenanceInput["source"]; reason: string | undefined }>([
    {
      what: "a clean commit",
      source: { repository: undefined, commit: COMMIT, dirty: false },
      reason: undefined,
    },
    {
      what: "a dirty tree",
      source: { repository: undefined, commit: COMMIT, dirty: true },
      reason: `it was built from a tree with uncommitted changes on top of commit ${COMMIT.slice(0, 12)}, which no checkout can reproduce`,
    },
    {
      what: "no repository",
      source: { repository: undefined, commit: undefined, dirty: false },
      reason: "its provenance records no git commit (it was built outside a git repository)",
    },
    {
      what: "a commit that is no hash",
      source: { repository: undefined, commit: "--upload-pack=x", dirty: false },
      reason: 'its provenance records "--upload-pack=x", which is not a git commit hash',
    },
  ])("says $what is $reason", ({ source, reason }) => {
    expect(unprovable(readClaim(statement({ source }))!)).toBe(reason);
  });
});
