/**
 * An SBOM as a CycloneDX 1.6 JSON document (https://cyclonedx.org/docs/1.6/json/), for `sbom:
 * cyclonedx`. Same facts and the same determinism as the SPDX form: sorted components, bom-refs
 * derived from what they name, a serial number that is a name-based UUID of the content, and the
 * timestamp from sourceDateEpoch. Pure.
 */
import { canonicalJson, digestHex, sha256Digest } from "../oci/index.js";
import { basePurl, goPurl, h1Hex, nameUuid, ociPurl, platformQualifiers, stdlibPurl } from "./identifiers.js";
import type { SbomDocument, SbomImage } from "./sbom-model.js";

type Json = Record<string, unknown>;

/** The document's bytes: canonical JSON. */
export function cycloneDxDocument(doc: SbomDocument): Buffer {
  const components = new Map<string, Json>();
  const dependencies = new Map<string, Set<string>>();
  const depend = (from: string, to: string) => {
    const set = dependencies.get(from) ?? new Set<string>();
    set.add(to);
    dependencies.set(from, set);
  };
  const refs = doc.images.map((image) => describeImage(doc, image, components, depend));
  const top = doc.isIndex
    ? {
        "bom-ref": `index:${doc.subject.digest}`,
        type: "container",
        name: doc.service,
        version: doc.subject.digest,
        purl: ociPurl(doc.service, doc.subject.digest),
        hashes: [{ alg: "SHA-256", content: digestHex(doc.subject.digest) }],
      }
    : components.get(refs[0]!)!;
  if (doc.isIndex) for (const ref of refs) depend(top["bom-ref"] as string, ref);
  else components.delete(refs[0]!);

  const body: Json = {
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    version: 1,
    metadata: {
      timestamp: doc.created,
      tools: { components: [{ type: "application", name: doc.tool.name, version: doc.tool.version }] },
      component: top,
    },
    components: [...components.keys()].sort().map((key) => components.get(key)!),
    dependencies: [...dependencies.keys()].sort().map((ref) => ({
      ref,
      dependsOn: [...dependencies.get(ref)!].sort(),
    })),
  };
  const serial = `urn:uuid:${nameUuid(sha256Digest(canonicalJson(body)))}`;
  return Buffer.from(canonicalJson({ ...body, serialNumber: serial }));
}

function describeImage(
  doc: SbomDocument,
  image: SbomImage,
  components: Map<string, Json>,
  depend: (from: string, to: string) => void,
): string {
  const ref = `image:${image.platform}:${image.manifest.digest}`;
  components.set(ref, {
    "bom-ref": ref,
    type: "container",
    name: doc.service,
    version: image.manifest.digest,
    purl: ociPurl(doc.service, image.manifest.digest, platformQualifiers(image.platform)),
    hashes: [{ alg: "SHA-256", content: digestHex(image.manifest.digest) }],
    properties: [
      { name: "dray:platform", value: image.platform },
      { name: "dray:image-id", value: image.imageId },
    ],
  });
  const base = basePurl(image.base);
  if (base && image.base.kind !== "scratch") {
    const baseRef = `base:${image.base.digest}`;
    components.set(baseRef, {
      "bom-ref": baseRef,
      type: "container",
      name: image.base.name,
      version: image.base.digest,
      purl: base,
      hashes: [{ alg: "SHA-256", content: digestHex(image.base.digest) }],
    });
    depend(ref, baseRef);
  }
  if (image.main) {
    const mainRef = `go:main:${image.main.module}`;
    components.set(mainRef, {
      "bom-ref": mainRef,
      type: "application",
      name: image.main.module,
      purl: goPurl(image.main.module),
      properties: [{ name: "dray:go.main-package", value: image.main.package }],
    });
    depend(ref, mainRef);
    if (image.toolchain) {
      const goRef = `go:toolchain:${image.toolchain}`;
      components.set(goRef, {
        "bom-ref": goRef,
        type: "library",
        name: "stdlib",
        version: image.toolchain,
        purl: stdlibPurl(image.toolchain),
        description: `the Go toolchain ${image.toolchain} that compiled the binary, and its standard library`,
      });
      depend(mainRef, goRef);
    }
    for (const module of image.modules) {
      const moduleRef = `go:${module.path}@${module.version}`;
      const hex = module.sum ? h1Hex(module.sum) : undefined;
      components.set(moduleRef, {
        "bom-ref": moduleRef,
        type: "library",
        name: module.path,
        version: module.version,
        purl: goPurl(module.path, module.version),
        ...(hex ? { hashes: [{ alg: "SHA-256", content: hex }] } : {}),
        ...(module.sum ? { properties: [{ name: "dray:go.sum", value: module.sum }] } : {}),
      });
      depend(mainRef, moduleRef);
    }
  }
  for (const file of image.files) {
    const fileRef = `file:${image.platform}:${file.path}`;
    components.set(fileRef, {
      "bom-ref": fileRef,
      type: "file",
      name: file.path,
      hashes: [
        { alg: "SHA-1", content: file.sha1 },
        { alg: "SHA-256", content: file.sha256 },
      ],
      properties: [
        { name: "dray:layer", value: file.layer },
        { name: "dray:layer-role", value: file.role },
      ],
    });
    depend(ref, fileRef);
  }
  for (const input of image.inputs) {
    const inputRef = `input:${input.path}`;
    components.set(inputRef, {
      "bom-ref": inputRef,
      type: "file",
      name: input.path,
      scope: "excluded",
      hashes: [
        { alg: "SHA-1", content: input.sha1 },
        { alg: "SHA-256", content: input.sha256 },
      ],
      properties: [{ name: "dray:role", value: "declared input of the build command" }],
    });
    depend(ref, inputRef);
  }
  return ref;
}
