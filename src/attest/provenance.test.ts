import { describe, expect, it } from "vitest";
import type { CacheEntry } from "../cache/index.js";
import type { Digest } from "../oci/index.js";
import { type ProvenanceInput, provenanceStatement, SLSA_PROVENANCE_V1 } from "./provenance.js";
import { withoutCredentials } from "./source.js";

const d = (c: string): Digest => `sha256:${c.repeat(64)}`;
const manifest = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d("1"), size: 400 };
const entry: CacheEntry = {
  key: d("k"),
  service: "tickets",
  top: manifest,
  platforms: [
    {
      platform: "linux/amd64",
      key: d("p"),
      imageId: d("c"),
      manifest,
      size: 1000,
      ingredients: {
        format: 2,
        platform: "linux/amd64",
        settings: {
          base: `registry:127.0.0.1:5000/base/static@${d("b")}`,
          "go.toolchain": "go1.23.5",
          "go.args": "build -trimpath -buildvcs=false",
        },
        files: {},
        packages: {},
        modules: { "github.com/google/uuid": "v1.3.0 h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=" },
      },
    },
  ],
  blobs: [],
  createdAt: 1_765_000_000_000,
};

const input = (dirty: boolean): ProvenanceInput => ({
  service: "tickets",
  entry,
  subjects: [{ name: "tickets", descriptor: manifest }],
  source: { repository: "https://git.example.test/sc.git", commit: "a".repeat(40), dirty },
  configDigest: d("9"),
  configPath: "dray.yaml",
  drayVersion: "0.1.0",
});

describe("provenance", () => {
  it("is an in-toto v1 statement with a SLSA v1 predicate about the image", () => {
    const statement = JSON.parse(provenanceStatement(input(false)).toString("utf8"));
    expect(statement).toMatchObject({
      _type: "https://in-toto.io/Statement/v1",
      predicateType: SLSA_PROVENANCE_V1,
      subject: [{ name: "tickets", digest: { sha256: "1".repeat(64) } }],
    });
    const { buildDefinition, runDetails } = statement.predicate;
    expect(buildDefinition.externalParameters.source).toEqual({
      repository: "https://git.example.test/sc.git",
      commit: "a".repeat(40),
      dirty: false,
    });
    expect(buildDefinition.internalParameters.inputKey).toBe(d("k"));
    expect(buildDefinition.internalParameters.platforms["linux/amd64"].settings["go.toolchain"]).toBe(
      "go1.23.5",
    );
    expect(buildDefinition.resolvedDependencies).toEqual(
      expect.arrayContaining([
        { uri: "git+https://git.example.test/sc.git", digest: { gitCommit: "a".repeat(40) } },
        { name: "dray.yaml", digest: { sha256: "9".repeat(64) } },
        expect.objectContaining({ digest: { sha256: "b".repeat(64) } }),
        expect.objectContaining({ uri: "pkg:golang/github.com/google/uuid@v1.3.0" }),
      ]),
    );
    expect(runDetails.builder.id).toContain("0.1.0");
  });

  it("records a dirty tree as dirty", () => {
    const statement = JSON.parse(provenanceStatement(input(true)).toString("utf8"));
    expect(statement.predicate.buildDefinition.externalParameters.source.dirty).toBe(true);
    expect(statement.predicate.buildDefinition.resolvedDependencies[0].annotations).toEqual({ dirty: true });
  });

  it("holds no time: the same build gives the same bytes, whatever the clock says", () => {
    const text = provenanceStatement(input(false)).toString("utf8");
    expect(text).not.toMatch(/startedOn|finishedOn|\d{4}-\d{2}-\d{2}T/);
    expect(provenanceStatement(input(false)).equals(provenanceStatement(input(false)))).toBe(true);
  });

  it("never records credentials from a remote URL", () => {
    expect(withoutCredentials("https://bot:s3cret-t0ken@git.example.test/sc.git")).toBe(
      "https://git.example.test/sc.git",
    );
    expect(withoutCredentials("git@git.example.test:org/sc.git")).toBe("git@git.example.test:org/sc.git");
  });
});
