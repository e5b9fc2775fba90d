/**
 * The JSON Schema of dray.yaml, generated from the zod schema so editors complete and check
 * exactly what dray accepts. `dray schema` prints it; schema/dray.schema.json is a committed copy.
 */
import * as z from "zod";
import { configSchema } from "./schema.js";
import { targets } from "./schema-deploy.js";

/**
 * A target that extends another may leave out what it inherits, `type` included: dray checks it
 * once merged with its parent, which a JSON Schema cannot do, so editors get its shape loosely.
 */
const extendingTarget = {
  type: "object",
  required: ["extends"],
  properties: {
    extends: { type: "string", description: "The target this one is built on; see `extends` above." },
    type: { enum: ["docker", "swarm", "kubernetes"], description: "The parent's kind, if written." },
  },
  description:
    "A target built on another (`extends`): it inherits every field of its parent and sets only what differs.",
};

/**
 * The schema's `$id`. A URN, not a URL: it only has to name the schema (the `$ref`s inside are
 * local), and no address for a published copy exists yet.
 */
export const SCHEMA_ID = "urn:dray:schema:dray.yaml:v1";

/** The JSON Schema (draft 2020-12) of dray.yaml. */
export function configJsonSchema(): Record<string, unknown> {
  // io "input": the schema describes what users write, so optional keys stay optional.
  const { $schema, ...rest } = z.toJSONSchema(configSchema, {
    target: "draft-2020-12",
    io: "input",
    override: (context) => {
      if (context.zodSchema !== targets) return;
      const schema = context.jsonSchema as { additionalProperties?: unknown };
      schema.additionalProperties = { anyOf: [schema.additionalProperties, extendingTarget] };
    },
  });
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
