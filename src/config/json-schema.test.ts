/**
 * The committed schema/dray.schema.json is what `dray schema` prints. When the zod schema changes,
 * regenerate the file on purpose: `DRAY_UPDATE_SCHEMA=1 npx vitest run src/config/json-schema.test.ts`.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema, renderConfigJsonSchema, SCHEMA_ID } from "./json-schema.js";

const committed = path.resolve(import.meta.dirname, "../../schema/dray.schema.json");

describe("JSON Schema", () => {
  it("the committed schema/dray.schema.json is the generated one", async () => {
    if (process.env.DRAY_UPDATE_SCHEMA) await writeFile(committed, renderConfigJsonSchema());
    expect(await readFile(committed, "utf8")).toBe(renderConfigJsonSchema());
  });

  it("is draft 2020-12 with an id, a title and the top-level keys of dray.yaml", () => {
    const schema = configJsonSchema();
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: SCHEMA_ID,
      title: "dray.yaml",
      type: "object",
      required: ["project", "services"],
      additionalProperties: false,
    });
    expect(Object.keys(schema.properties as object)).toEqual([
      "project",
      "registry",
      "cache",
      "targets",
      "platforms",
      "base",
      "sourceDateEpoch",
      "services",
      "sbom",
      "sign",
    ]);
  });

  it("tells editors that a registry cache needs a registry", () => {
    const schema = configJsonSchema();
    expect([schema.if, schema.then]).toEqual([
      { properties: { cache: { const: "registry" } }, required: ["cache"] },
      { required: ["registry"] },
    ]);
  });

  it("offers both kinds of service, each closed to the other's keys", () => {
    const properties = configJsonSchema().properties as Record<
      string,
      { additionalProperties: { anyOf: object[] } }
    >;
    const services = properties.services!;
    const [go, command] = services.additionalProperties.anyOf as {
      title: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    }[];
    expect([go?.title, go?.required, go?.additionalProperties]).toEqual(["Go service", ["go"], false]);
    expect([command?.title, command?.required, command?.additionalProperties]).toEqual([
      "Command service",
      ["command", "dir"],
      false,
    ]);
    // Every key is documented: these texts are what editors show on hover.
    for (const [key, property] of Object.entries({ ...go?.properties, ...command?.properties })) {
      expect(property.description, key).toBeTruthy();
    }
  });

  it("offers targets of each kind with their environment fields, and a target that extends another", () => {
    const properties = configJsonSchema().properties as Record<
      string,
      { additionalProperties: { anyOf: [{ oneOf: object[] }, object] } }
    >;
    const [kinds, extending] = properties.targets!.additionalProperties.anyOf;
    const byKind = kinds.oneOf as { properties: Record<string, { description?: string }> }[];
    for (const kind of byKind) {
      for (const key of ["extends", "services", "registry"])
        expect(kind.properties[key]?.description).toBeTruthy();
    }
    expect(byKind.map((k) => "project" in k.properties)).toEqual([true, true, false]);
    // A child may leave out `type`: it inherits it.
    expect(extending).toMatchObject({ type: "object", required: ["extends"] });
  });
});
