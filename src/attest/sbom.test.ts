import { describe, expect, it } from "vitest";
import { cycloneDxProblems, spdxProblems } from "../../test/support/sbom-validate.js";
import type { Digest } from "../oci/index.js";
import { cycloneDxDocument } from "./cyclonedx.js";
import { baseOf, createdAt, type SbomDocument, type SbomImage } from "./sbom-model.js";
import { spdxDocument } from "./spdx.js";

const d = (c: string): Digest => `sha256:${c.repeat(64)}`;
const UUID_SUM = "h1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=";

function image(platform: string, manifest: string): SbomImage {
  return {
    platform,
    manifest: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d(manifest), size: 500 },
    imageId: d("c"),
    base: baseOf(`registry:127.0.0.1:5000/base/static@${d("b")}`),
    toolchain: "go1.23.5",
    main: { module: "example.com/sc", package: "example.com/sc/services/tickets" },
    modules: [
      { path: "github.com/google/uuid", version: "v1.3.0", sum: UUID_SUM },
      { path: "example.org/Local", version: "(local)", sum: undefined },
    ],
    files: [
      {
        path: "/srv/static/about.txt",
        sha1: "1".repeat(40),
        sha256: "2".repeat(64),
        size: 9,
        role: "files",
        layer: d("e"),
      },
      {
        path: "/app/tickets",
        sha1: "3".repeat(40),
        sha256: "4".repeat(64),
        size: 99,
        role: "binary",
        layer: d("f"),
      },
    ],
    inputs: [{ path: "site/src/index.html", sha1: "5".repeat(40), sha256: "6".repeat(64) }],
  };
}

function document(images: SbomImage[], isIndex: boolean): SbomDocument {
  return {
    service: "tickets",
    title: "tickets",
    subject: isIndex
      ? { mediaType: "application/vnd.oci.image.index.v1+json", digest: d("a"), size: 700 }
      : images[0]!.manifest,
    isIndex,
    images,
    created: createdAt(1_700_000_000),
    tool: { name: "dray", version: "0.1.0" },
  };
}

const cases = [
  { description: "one platform image", doc: () => document([image("linux/amd64", "1")], false) },
  {
    description: "an index over two platform images",
    doc: () => document([image("linux/amd64", "1"), image("linux/arm64", "2")], true),
  },
];

describe.each(cases)("the SBOM of $description", ({ doc }) => {
  it("is valid SPDX 2.3 and lists the module with its purl and go.sum checksum", () => {
    const spdx = JSON.parse(spdxDocument(doc()).toString("utf8"));
    expect(spdxProblems(spdx)).toEqual([]);
    const uuid = spdx.packages.find((p: { name: string }) => p.name === "github.com/google/uuid");
    expect(uuid).toMatchObject({
      versionInfo: "v1.3.0",
      checksums: [
        { algorithm: "SHA256", checksumValue: Buffer.from(UUID_SUM.slice(3), "base64").toString("hex") },
      ],
      externalRefs: [{ referenceType: "purl", referenceLocator: "pkg:golang/github.com/google/uuid@v1.3.0" }],
    });
    expect(spdx.creationInfo.created).toBe("2023-11-14T22:13:20Z");
    expect(spdx.documentNamespace).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    const names = spdx.packages.map(
      (p: { name: string; versionInfo?: string }) => `${p.name} ${p.versionInfo}`,
    );
    expect(names).toEqual(expect.arrayContaining(["stdlib go1.23.5", `static ${d("b")}`]));
    expect(spdx.files.map((f: { fileName: string }) => f.fileName)).toEqual(
      expect.arrayContaining(["./app/tickets", "./srv/static/about.txt", "./site/src/index.html"]),
    );
  });

  it("is valid CycloneDX 1.6 with the same facts", () => {
    const bom = JSON.parse(cycloneDxDocument(doc()).toString("utf8"));
    expect(cycloneDxProblems(bom)).toEqual([]);
    expect(bom.serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(bom.components).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "github.com/google/uuid",
          version: "v1.3.0",
          purl: "pkg:golang/github.com/google/uuid@v1.3.0",
        }),
      ]),
    );
  });

  it("does not depend on the order facts arrive in", () => {
    const shuffled = doc();
    for (const i of shuffled.images) {
      i.modules.reverse();
      i.files.reverse();
    }
    // Documents sort what they list; the model hands them sorted lists, but the writers must not rely on it.
    expect(spdxDocument(shuffled).equals(spdxDocument(doc()))).toBe(true);
    expect(cycloneDxDocument(shuffled).equals(cycloneDxDocument(doc()))).toBe(true);
  });

  it("changes its namespace and serial number with its content", () => {
    const other = doc();
    other.images[0]!.modules[0]!.version = "v1.4.0";
    const a = JSON.parse(spdxDocument(doc()).toString("utf8"));
    const b = JSON.parse(spdxDocument(other).toString("utf8"));
    expect(a.documentNamespace).not.toBe(b.documentNamespace);
    const x = JSON.parse(cycloneDxDocument(doc()).toString("utf8"));
    const y = JSON.parse(cycloneDxDocument(other).toString("utf8"));
    expect(x.serialNumber).not.toBe(y.serialNumber);
  });
});

describe("the validators the SBOM tests rely on", () => {
  it("find what is wrong", () => {
    const spdx = JSON.parse(spdxDocument(cases[0]!.doc()).toString("utf8"));
    spdx.relationships.push({
      spdxElementId: "SPDXRef-Nope",
      relationshipType: "CONTAINS",
      relatedSpdxElement: "SPDXRef-DOCUMENT",
    });
    spdx.files[0].checksums = spdx.files[0].checksums.filter(
      (c: { algorithm: string }) => c.algorithm !== "SHA1",
    );
    delete spdx.creationInfo;
    expect(spdxProblems(spdx).join("\n")).toMatch(/creationInfo[\s\S]*SPDXRef-Nope[\s\S]*has no SHA1/);
    const bom = JSON.parse(cycloneDxDocument(cases[0]!.doc()).toString("utf8"));
    bom.components[0].type = "nonsense";
    expect(cycloneDxProblems(bom).length).toBeGreaterThan(0);
  });
});
