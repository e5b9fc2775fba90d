/**
 * TEST HELPER: validates SBOM documents with ajv — CycloneDX 1.6 against the official schema, SPDX 2.3
 * against the closest check we could vendor (see test/fixtures/sbom-schemas/README.md) plus the rules a
 * schema cannot express. Each function returns the problems found; an empty list means valid.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const dir = path.resolve(import.meta.dirname, "../fixtures/sbom-schemas");
const read = (name: string) =>
  JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Record<string, unknown>;
// ajv-formats is CommonJS: its default export arrives as the module object's `default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

let compiled: { spdx: ValidateFunction; cyclonedx: ValidateFunction } | undefined;

function validators() {
  if (compiled) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  // Formats ajv-formats does not define; the schema uses them for URLs and e-mail addresses.
  for (const name of ["iri-reference", "idn-email"]) ajv.addFormat(name, true);
  // The library renamed the files it ships; its $refs use the new names, its $ids the old ones.
  ajv.addSchema({
    ...read("spdx.SNAPSHOT.schema.json"),
    $id: "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
  });
  ajv.addSchema({
    ...read("jsf-0.82.SNAPSHOT.schema.json"),
    $id: "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
  });
  compiled = {
    cyclonedx: ajv.compile(read("bom-1.6.SNAPSHOT.schema.json")),
    spdx: ajv.compile(read("spdx-2.3.dray-check.schema.json")),
  };
  return compiled;
}

function errorsOf(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** Problems of a CycloneDX 1.6 document (official schema, and every dependency names a component). */
export function cycloneDxProblems(document: unknown): string[] {
  const problems = errorsOf(validators().cyclonedx, document);
  const doc = document as {
    metadata?: { component?: { "bom-ref"?: string } };
    components?: { "bom-ref"?: string }[];
    dependencies?: { ref: string; dependsOn?: string[] }[];
  };
  const refs = new Set([
    doc.metadata?.component?.["bom-ref"],
    ...(doc.components ?? []).map((c) => c["bom-ref"]),
  ]);
  for (const dependency of doc.dependencies ?? []) {
    for (const ref of [dependency.ref, ...(dependency.dependsOn ?? [])])
      if (!refs.has(ref)) problems.push(`dependency names ${ref}, which is no component`);
  }
  return problems;
}

/** Problems of an SPDX 2.3 document (the check schema; relationships name elements; files carry SHA1). */
export function spdxProblems(document: unknown): string[] {
  const problems = errorsOf(validators().spdx, document);
  const doc = document as {
    packages?: { SPDXID: string }[];
    files?: { SPDXID: string; fileName: string; checksums: { algorithm: string }[] }[];
    relationships?: { spdxElementId: string; relatedSpdxElement: string }[];
  };
  const ids = ["SPDXRef-DOCUMENT", ...(doc.packages ?? []), ...(doc.files ?? [])].map((e) =>
    typeof e === "string" ? e : e.SPDXID,
  );
  const unique = new Set(ids);
  if (unique.size !== ids.length) problems.push("two elements share an SPDXID");
  for (const r of doc.relationships ?? []) {
    for (const id of [r.spdxElementId, r.relatedSpdxElement])
      if (!unique.has(id)) problems.push(`relationship names ${id}, which is not defined`);
  }
  for (const file of doc.files ?? []) {
    if (!file.checksums.some((c) => c.algorithm === "SHA1")) problems.push(`${file.fileName} has no SHA1`);
  }
  return problems;
}
