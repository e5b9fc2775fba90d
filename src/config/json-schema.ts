/**
 * The JSON Schema of dray.yaml, generated from the zod schema so editors complete and check
 * exactly what dray accepts. `dray schema` prints it; schema/dray.schema.json is a committed copy.
 */
import * as z from "zod";
import { configSchema } from "./schema.js";

/**
 * The schema's `$id`. A URN, not a URL: it only has to name the schema (the `$ref`s inside are
 * local), and no address for a published copy exists yet.
 */
export const SCHEMA_ID = "urn:dray:schema:dray.yaml:v1";

/** The JSON Schema (draft 2020-12) of dray.yaml. */
export function configJsonSchema(): Record<string, unknown> {
  // io "input": the schema describes what users write, so optional keys stay optional.
  const { $schema, ...rest } = z.toJSONSchema(configSchema, { target: "draft-2020-12", io: "input" });
  return {
    $schema,
    $id: SCHEMA_ID,
    title: "dray.yaml",
    description:
      "Configuration of dray: the project, its platforms and base image, and how each service is built into an OCI image.",
    ...rest,
  };
}

/** The schema as the committed file holds it: two-space indents and a final newline. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
