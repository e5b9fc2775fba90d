/**
 * An SBOM as an SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/). Every list is
 * sorted and every ID derived from what it names; the namespace is a name-based UUID of the rest of
 * the document, and `created` is sourceDateEpoch — so the bytes depend on the image alone. Pure.
 */
import { canonicalJson, digestHex, sha256Digest } from "../oci/index.js";
import {
  basePurl,
  goPurl,
  h1Hex,
  nameUuid,
  ociPurl,
  platformQualifiers,
  spdxId,
  stdlibPurl,
} from "./identifiers.js";
import type { SbomDocument, SbomImage } from "./sbom-model.js";

type Json = Record<string, unknown>;
type Relationship = [from: string, type: string, to: string];

const NOASSERTION = "NOASSERTION";

/** The document's bytes: canonical JSON. */
export function spdxDocument(doc: SbomDocument): Buffer {
  const packages = new Map<string, Json>();
  const files = new Map<string, Json>();
  const relationships: Relationship[] = [];
  const described: string[] = [];
  for (const image of doc.images) {
    const id = describeImage(doc, image, packages, files, relationships);
    described.push(id);
  }
  if (doc.isIndex) {
    const indexId = spdxId("Index", doc.subject.digest);
    packages.set(indexId, {
      SPDXID: indexId,
      name: doc.service,
      versionInfo: doc.subject.digest,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      primaryPackagePurpose: "CONTAINER",
      checksums: [{ algorithm: "SHA256", checksumValue: digestHex(doc.subject.digest) }],
      externalRefs: [purlRef(ociPurl(doc.service, doc.subject.digest))],
    });
    for (const id of described) relationships.push([indexId, "CONTAINS", id]);
    described.splice(0, described.length, indexId);
  }
  for (const id of described) relationships.push(["SPDXRef-DOCUMENT", "DESCRIBES", id]);

  const body: Json = {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: doc.title,
    creationInfo: { created: doc.created, creators: [`Tool: ${doc.tool.name}-${doc.tool.version}`] },
    packages: sortedValues(packages),
    files: sortedValues(files),
    relationships: [...new Set(relationships.map((r) => r.join("\0")))].sort().map((key) => {
      const [from, type, to] = key.split("\0");
      return { spdxElementId: from, relationshipType: type, relatedSpdxElement: to };
    }),
  };
  // The namespace names this exact content: a UUID of the document without it.
  const namespace = `urn:uuid:${nameUuid(sha256Digest(canonicalJson(body)))}`;
  return Buffer.from(canonicalJson({ ...body, documentNamespace: namespace }));
}

function describeImage(
  doc: SbomDocument,
  image: SbomImage,
  packages: Map<string, Json>,
  files: Map<string, Json>,
  relationships: Relationship[],
): string {
  const imageId = spdxId("Image", image.platform);
  packages.set(imageId, {
    SPDXID: imageId,
    name: doc.service,
    versionInfo: image.manifest.digest,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    primaryPackagePurpose: "CONTAINER",
    checksums: [{ algorithm: "SHA256", checksumValue: digestHex(image.manifest.digest) }],
    externalRefs: [purlRef(ociPurl(doc.service, image.manifest.digest, platformQualifiers(image.platform)))],
    comment: `${image.platform} image; image ID (config digest) ${image.imageId}`,
  });
  const base = basePurl(image.base);
  if (base && image.base.kind !== "scratch") {
    const baseId = spdxId("Base", image.base.digest);
    packages.set(baseId, {
      SPDXID: baseId,
      name: image.base.name,
      versionInfo: image.base.digest,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      primaryPackagePurpose: "CONTAINER",
      checksums: [{ algorithm: "SHA256", checksumValue: digestHex(image.base.digest) }],
      externalRefs: [purlRef(base)],
    });
    relationships.push([imageId, "DESCENDANT_OF", baseId]);
  }
  if (image.main) {
    const mainId = spdxId("GoModule", `main ${image.main.module}`);
    packages.set(mainId, {
      SPDXID: mainId,
      name: image.main.module,
      downloadLocation: NOASSERTION,
      filesAnalyzed: false,
      primaryPackagePurpose: "APPLICATION",
      externalRefs: [purlRef(goPurl(image.main.module))],
      comment: `main module; main package ${image.main.package}`,
    });
    relationships.push([imageId, "CONTAINS", mainId]);
    if (image.toolchain) {
      const goId = spdxId("GoToolchain", image.toolchain);
      packages.set(goId, {
        SPDXID: goId,
        name: "stdlib",
        versionInfo: image.toolchain,
        downloadLocation: NOASSERTION,
        filesAnalyzed: false,
        primaryPackagePurpose: "LIBRARY",
        externalRefs: [purlRef(stdlibPurl(image.toolchain))],
        comment: `the Go toolchain ${image.toolchain} that compiled the binary, and its standard library`,
      });
      relationships.push([mainId, "DEPENDS_ON", goId]);
    }
    for (const module of image.modules) {
      const moduleId = spdxId("GoModule", `${module.path}@${module.version}`);
      const hex = module.sum ? h1Hex(module.sum) : undefined;
      packages.set(moduleId, {
        SPDXID: moduleId,
        name: module.path,
        versionInfo: module.version,
        downloadLocation: NOASSERTION,
        filesAnalyzed: false,
        primaryPackagePurpose: "LIBRARY",
        ...(hex ? { checksums: [{ algorithm: "SHA256", checksumValue: hex }] } : {}),
        externalRefs: [purlRef(goPurl(module.path, module.version))],
        ...(module.sum ? { comment: `go.sum ${module.sum} (Go's hash of the module's files)` } : {}),
      });
      relationships.push([mainId, "DEPENDS_ON", moduleId]);
    }
  }
  for (const file of image.files) {
    const fileId = spdxId("File", `${image.platform} ${file.path}`);
    files.set(fileId, {
      SPDXID: fileId,
      fileName: `.${file.path}`,
      checksums: [
        { algorithm: "SHA1", checksumValue: file.sha1 },
        { algorithm: "SHA256", checksumValue: file.sha256 },
      ],
      fileTypes: [file.role === "binary" ? "BINARY" : "OTHER"],
      comment: `in the image's ${file.role} layer ${file.layer}`,
    });
    relationships.push([imageId, "CONTAINS", fileId]);
    if (file.role === "binary" && image.main) {
      relationships.push([fileId, "GENERATED_FROM", spdxId("GoModule", `main ${image.main.module}`)]);
    }
  }
  for (const input of image.inputs) {
    const fileId = spdxId("Input", input.path);
    files.set(fileId, {
      SPDXID: fileId,
      fileName: `./${input.path}`,
      checksums: [
        { algorithm: "SHA1", checksumValue: input.sha1 },
        { algorithm: "SHA256", checksumValue: input.sha256 },
      ],
      fileTypes: ["SOURCE"],
      comment: "a declared input of the build command, in the project",
    });
    relationships.push([imageId, "GENERATED_FROM", fileId]);
  }
  return imageId;
}

function purlRef(locator: string): Json {
  return { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: locator };
}

function sortedValues(map: Map<string, Json>): Json[] {
  return [...map.keys()].sort().map((key) => map.get(key)!);
}
